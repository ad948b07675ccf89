// Preloaded into the Prisma CLI. After `db push` has printed its result the libSQL client
// keeps the process alive for about a minute; end it once the result is out (the exit code
// stays the CLI's own).
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (String(chunk).includes("in sync with")) {
    setTimeout(() => process.exit(), 300).unref();
  }
  return write(chunk, ...rest);
};

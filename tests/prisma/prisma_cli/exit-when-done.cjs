// Preloaded into the Prisma CLI. After `db push` has printed its result the WebAssembly
// engine can leave a long timer armed (and the libSQL client keeps the process alive for
// about a minute); end the process once the result is out. The exit code stays the CLI's
// own, and output to a pipe is written synchronously, so none is lost.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (String(chunk).includes("in sync with")) {
    setTimeout(() => process.exit(), 100).unref();
  }
  return write(chunk, ...rest);
};

// A small app that uses Prisma: GET / counts the rows, POST /users?email=... adds a user.
// trueup has already brought the database's schema in line with prisma/schema.prisma when
// this starts (the entrypoint runs `trueup start -- node server.js`).
const http = require("node:http");
const { PrismaClient } = require("@prisma/client");

const prisma = new PrismaClient();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  try {
    if (req.method === "POST" && url.pathname === "/users") {
      const user = await prisma.user.create({ data: { email: url.searchParams.get("email") } });
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(user));
      return;
    }
    const [users, posts] = await Promise.all([prisma.user.count(), prisma.post.count()]);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ users, posts }));
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
});

server.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on ${server.address().port}`);
});

// `docker stop` sends SIGTERM to this process (trueup exec'd it): close and leave.
process.on("SIGTERM", () => server.close(() => prisma.$disconnect().then(() => process.exit(0))));

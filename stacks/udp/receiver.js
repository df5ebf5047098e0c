#!/usr/bin/env node
// UDP receiver, as in seed 001 "UDP受信": make a socket, bind it to an address and port, receive
// one datagram, print it, close. Plain Node.js (dgram), run inside a namespace:
//   ip netns exec ns2 node receiver.js [PORT]        (default 12345, bound to 0.0.0.0: INADDR_ANY)
// stdout: the message, one line, as the seed's printf("%s\n", buf).
// stderr: "receiver: bound to 0.0.0.0:PORT" once the socket is bound (the caller waits for it),
// then where the datagram came from.
"use strict";
const dgram = require("node:dgram");

const port = Number(process.argv[2] ?? 12345);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`receiver: port must be a number from 1 to 65535, not "${process.argv[2]}"`);
    process.exit(2);
}

const sock = dgram.createSocket("udp4");                  // socket(AF_INET, SOCK_DGRAM, 0)
sock.on("error", (e) => {
    console.error(`receiver: ${e.code ?? ""} ${e.message}`);
    process.exit(1);
});
sock.on("listening", () => {
    const a = sock.address();
    console.error(`receiver: bound to ${a.address}:${a.port}`);
});
sock.once("message", (buf, from) => {                     // recv(sock, buf, sizeof(buf), 0)
    console.error(`receiver: ${buf.length} bytes from ${from.address}:${from.port}`);
    process.stdout.write(`${buf.toString("utf8")}\n`, () => sock.close(() => process.exit(0)));
});
sock.bind(port, "0.0.0.0");                               // bind(): INADDR_ANY, htons(12345)

#!/usr/bin/env node
// UDP sender, as in seed 001 "UDP送信": make a socket, send one datagram to an address and port,
// close. Plain Node.js (dgram), run inside a namespace:
//   ip netns exec ns1 node sender.js ADDRESS [PORT] [MESSAGE]            (default 12345, "HELLO")
//     like the seed's sendto(): the socket is not connected, so the sender never hears whether
//     anything arrived (UDP does not know); exit 0 once the datagram is sent.
//   ip netns exec ns1 node sender.js --connect [--wait-ms N] ADDRESS [PORT] [MESSAGE]
//     a connected socket (connect(), then send()): the kernel reports an ICMP port unreachable
//     that comes back for it as ECONNREFUSED. Waits up to N ms (default 2000) for that error,
//     ending as soon as it comes: exit 3 with "ECONNREFUSED", or exit 0 with "no error".
"use strict";
const dgram = require("node:dgram");

const args = process.argv.slice(2);
let connect = false;
let waitMs = 2000;
const rest = [];
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--connect") connect = true;
    else if (args[i] === "--wait-ms") waitMs = Number(args[++i]);
    else rest.push(args[i]);
}
const [address, portText = "12345", message = "HELLO"] = rest;
const port = Number(portText);
if (!address || !Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(waitMs) || waitMs < 0) {
    console.error("usage: sender.js [--connect [--wait-ms N]] ADDRESS [PORT] [MESSAGE]");
    process.exit(2);
}

const sock = dgram.createSocket("udp4");                  // socket(AF_INET, SOCK_DGRAM, 0)
const bytes = Buffer.byteLength(message);

if (!connect) {
    sock.on("error", (e) => {
        console.log(`sender: ${e.code ?? ""} ${e.message}`);
        process.exit(1);
    });
    sock.send(message, port, address, (err) => {          // sendto(sock, "HELLO", 5, 0, &addr, ...)
        if (err) {
            console.log(`sender: ${err.code ?? ""} ${err.message}`);
            process.exit(1);
        }
        console.log(`sender: sent ${bytes} bytes to ${address}:${port} (sendto: the socket will never hear whether they arrived)`);
        sock.close();
    });
} else {
    let timer;
    const report = (e) => {
        clearTimeout(timer);
        console.log(`sender: ${e.code} (${e.syscall}): ${e.code === "ECONNREFUSED" ? "an ICMP port unreachable came back: nothing listens on that port" : e.message}`);
        sock.close();
        process.exitCode = e.code === "ECONNREFUSED" ? 3 : 1;
    };
    // With a connected socket the kernel hands an ICMP error about it to the socket: Node reads
    // it as a failed receive (recvmsg), an "error" event (or a failed send, when it came first).
    sock.on("error", report);
    sock.connect(port, address, () => {                   // connect(): fixes the peer
        sock.send(message, (err) => {                      // send()
            if (err) return report(err);
            console.log(`sender: sent ${bytes} bytes to ${address}:${port} on a connected socket`);
            timer = setTimeout(() => {
                console.log(`sender: no error within ${waitMs} ms`);
                sock.close();
            }, waitMs);
        });
    });
}

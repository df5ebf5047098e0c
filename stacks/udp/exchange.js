#!/usr/bin/env node
// The udp-socket lesson's check, as one command: start the receiver in one namespace, wait until
// it is bound, send one datagram from another namespace, and show what the receiver printed.
//   node exchange.js RECEIVER_NS SENDER_NS ADDRESS PORT MESSAGE
// Runs both programs (receiver.js, sender.js, beside this file) with this same node binary, as
// `ip netns exec NS node FILE` (ip netns exec replaces itself with node: the PID is node's). The
// receiver is stopped by its PID in every case, so no process is left behind. Every wait is
// bounded; none is a fixed sleep: each ends on the event it waits for.
// stdout: what happened, one line per step. Exit 0 when the receiver printed exactly MESSAGE.
"use strict";
const { spawn } = require("node:child_process");
const { join } = require("node:path");

const [receiverNs, senderNs, address, port, message] = process.argv.slice(2);
if (!receiverNs || !senderNs || !address || !port || message === undefined) {
    console.error("usage: exchange.js RECEIVER_NS SENDER_NS ADDRESS PORT MESSAGE");
    process.exit(2);
}
const BOUND_MS = 5000;   // the receiver binds within milliseconds; this is only the bound
const ARRIVE_MS = 5000;  // the datagram crosses one router in well under a millisecond

const start = Date.now();
const t = () => `${Date.now() - start} ms`;

function run(ns, file, args) {
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, join(__dirname, file), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out = { stdout: "", stderr: "", exit: undefined };
    child.stdout.on("data", (d) => { out.stdout += d; });
    child.stderr.on("data", (d) => { out.stderr += d; });
    out.exited = new Promise((resolve) => child.on("close", (code, signal) => { out.exit = code ?? signal; resolve(); }));
    child.on("error", (e) => { out.stderr += `cannot start: ${e.message}\n`; });
    return { child, out };
}

/** Resolves true when test() holds, checked on every output chunk and exit of `child`; false after ms. */
function until(proc, test, ms) {
    return new Promise((resolve) => {
        const check = () => {
            if (test()) done(true);
            else if (proc.out.exit !== undefined) done(false);
        };
        const timer = setTimeout(() => done(false), ms);
        const done = (v) => {
            clearTimeout(timer);
            proc.child.stdout.off("data", check);
            proc.child.stderr.off("data", check);
            resolve(v);
        };
        proc.child.stdout.on("data", check);
        proc.child.stderr.on("data", check);
        proc.out.exited.then(check);
        check();
    });
}

async function main() {
    const receiver = run(receiverNs, "receiver.js", [port]);
    console.log(`receiver: started in ${receiverNs}, pid ${receiver.child.pid}`);
    try {
        if (!(await until(receiver, () => /^receiver: bound to /m.test(receiver.out.stderr), BOUND_MS))) {
            console.log(`receiver: not bound after ${t()}: ${receiver.out.stderr.trim() || "(nothing on stderr)"}`);
            return 1;
        }
        console.log(`${/^receiver: bound to .*$/m.exec(receiver.out.stderr)[0]} after ${t()}`);

        const sender = run(senderNs, "sender.js", [address, port, message]);
        await sender.out.exited;
        console.log(`${sender.out.stdout.trim() || sender.out.stderr.trim()} (sender in ${senderNs} exited ${sender.out.exit})`);

        const printed = await until(receiver, () => receiver.out.exit !== undefined, ARRIVE_MS);
        const lines = receiver.out.stderr.split("\n").filter((l) => l && !/bound to/.test(l));
        for (const l of lines) console.log(l);
        if (!printed) {
            console.log(`receiver: printed nothing within ${ARRIVE_MS} ms`);
            return 1;
        }
        console.log(`receiver printed: ${JSON.stringify(receiver.out.stdout)}, exited ${receiver.out.exit}, after ${t()}`);
        return receiver.out.exit === 0 && receiver.out.stdout === `${message}\n` ? 0 : 1;
    } finally {
        if (receiver.out.exit === undefined) {
            receiver.child.kill("SIGKILL");
            await receiver.out.exited;
            console.log(`receiver: stopped (pid ${receiver.child.pid}, SIGKILL)`);
        }
    }
}

main().then((code) => { process.exitCode = code; }, (e) => { console.log(`exchange: ${e.stack ?? e}`); process.exitCode = 1; });

// Three chapter lessons through the real Pulumi CLI: ipv6 (seed 004), icmp-unreachable (seed 002),
// udp-socket (seed 001). For each: up, the lesson's own checks right after up (the ones `npm run
// lab -- verify` runs), and again at once (ICMP rate limits, processes left behind), a no-change
// preview; ipv6's step (a new MAC) with its exact plan, the kernel's ifindex kept and the
// link-local address following the MAC, and back; destroy. The lifecycle of the whole file is
// through the shared lifecycle: the leak check, then the clean-up of what is left.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { REPO, TestStack } from "./harness";
import { expectPictureMatches } from "./pictures";
import { check, expectAllPass } from "./lesson-checks";

const prefix = filePrefix("chb");
const { stacks } = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

/** What the kernel says about an interface: its ifindex and MAC. */
async function link(ns: string, dev: string): Promise<{ ifindex: number; address: string }> {
    const r = await execa("ip", ["-n", ns, "-j", "link", "show", "dev", dev]);
    return (JSON.parse(r.stdout) as { ifindex: number; address: string }[])[0]!;
}

/** The PIDs running in each namespace (`ip netns pids`): a check that starts a program must leave none. */
async function pids(nss: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const ns of nss) out[ns] = (await execa("ip", ["netns", "pids", ns])).stdout.trim();
    return out;
}

async function start(lesson: string, tag: string): Promise<{ stack: TestStack; p: string }> {
    const p = `${prefix}${tag}-`;
    const stack = await TestStack.create(`${prefix}${lesson}`, REPO, { lesson, prefix: p });
    stacks.push(stack);
    return { stack, p };
}

async function finish(stack: TestStack, p: string) {
    await stack.destroy();
    expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
}

describe("chapter lessons (seeds 001, 002, 004) through the real Pulumi CLI", () => {
    it("npm run lab -- list shows them", async () => {
        const r = await execa(process.execPath, [`${REPO}/dist/lab/cli.js`, "list"]);
        for (const name of ["ipv6", "icmp-unreachable", "udp-socket"]) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    });

    it("ipv6: up, usable at once, step mac=00:00:5e:00:53:01 (one in-place update, the link-local follows) and back, destroy; a bad mac fails the preview", async () => {
        const { stack, p } = await start("ipv6", "v6");
        await stack.up();
        // Right after up, nothing else first: the first check is a ping with a 1 s deadline.
        await expectAllPass("ipv6", p, {});
        await expectPictureMatches(stack, "ipv6", p);
        // The stack output is the kernel's own link-local address (a VethPair output), the seed's EUI-64 of its MAC.
        expect(await stack.outputs()).toMatchObject({ mac: "00:0b:97:28:c6:d5", linkLocal: "fe80::20b:97ff:fe28:c6d5" });
        const before = { end: await link(`${p}ns1`, "ns1-veth0"), peer: await link(`${p}router`, "gw-veth0") };
        expect(before.end.address).toBe("00:0b:97:28:c6:d5");

        await stack.setConfig({ mac: "00:00:5e:00:53:01" });
        expect(await stack.changes()).toEqual(["update ns1-router"]);
        await stack.up();
        await expectAllPass("ipv6", p, { mac: "00:00:5e:00:53:01" });
        // The default step's checks fail exactly where the MAC matters: the link-local address changed with it.
        const flipped = await check("ipv6", p, {});
        const flips = ["ns1-veth0 has MAC 00:0b:97:28:c6:d5 ", "router reaches ns1's link-local address fe80::20b:97ff:fe28:c6d5%gw-veth0"];
        expect(flipped.failed.map((t) => flips.find((f) => t.startsWith(f)) ?? t)).toEqual(flips);
        // In place: the kernel's ifindex of both ends kept, the MAC changed.
        const after = { end: await link(`${p}ns1`, "ns1-veth0"), peer: await link(`${p}router`, "gw-veth0") };
        expect(after.end).toEqual({ ...before.end, address: "00:00:5e:00:53:01" });
        expect(after.peer.ifindex).toBe(before.peer.ifindex);
        expect((await stack.outputs()).linkLocal).toBe("fe80::200:5eff:fe00:5301");

        await stack.must(["config", "rm", "mac"]);
        expect(await stack.changes()).toEqual(["update ns1-router"]);
        await stack.up();
        await expectAllPass("ipv6", p, {});
        expect(await link(`${p}ns1`, "ns1-veth0")).toEqual(before.end);
        await stack.expectNoChanges();
        await finish(stack, p);

        // Bad input: one line naming the key, the value and what is allowed; nothing is created.
        await stack.setConfig({ mac: "01:00:5e:00:00:01" });
        const r = await stack.run(["preview"]);
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout + r.stderr).toContain(`lesson ipv6: config 'mac' must be a unicast MAC address (six hex bytes separated by ':', the first byte even, not all zero), such as 00:00:5e:00:53:01 (default "00:0b:97:28:c6:d5"), not "01:00:5e:00:00:01"`);
        expect(r.stdout + r.stderr, "the message alone, no stack trace").not.toMatch(/^\s+at /m);
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    });

    it("icmp-unreachable: up, the three unreachables with their codes, twice in a row (ICMP rate limits), destroy", async () => {
        const { stack, p } = await start("icmp-unreachable", "iu");
        await stack.up();
        await expectAllPass("icmp-unreachable", p, {});
        await expectPictureMatches(stack, "icmp-unreachable", p);
        // At once again: with the kernel's icmp_ratelimit the router's answers would run out.
        await expectAllPass("icmp-unreachable", p, {});
        await stack.expectNoChanges();
        await finish(stack, p);
    });

    it("udp-socket: up, HELLO received, ECONNREFUSED without a receiver, twice in a row, no process left, destroy", async () => {
        const { stack, p } = await start("udp-socket", "us");
        await stack.up();
        const nss = [`${p}ns1`, `${p}router`, `${p}ns2`];
        await expectAllPass("udp-socket", p, {});
        await expectPictureMatches(stack, "udp-socket", p);
        expect(await pids(nss)).toEqual(Object.fromEntries(nss.map((n) => [n, ""])));
        await expectAllPass("udp-socket", p, {});
        expect(await pids(nss)).toEqual(Object.fromEntries(nss.map((n) => [n, ""])));
        await stack.expectNoChanges();
        await finish(stack, p);
    });
});

// Three chapter lessons through the real Pulumi CLI: ttl-traceroute (seeds 000, 002), path-mtu
// (seeds 002, 003) and routing-table (seeds 000, 004). For each: up, the lesson's checks (the ones
// `npm run lab -- verify` runs); the step: `up --json` and exactly the steps the lesson claims
// (the engine's own record of the update: op and resource of every step that is not "same"), the
// checks of the step pass, the checks of the default step fail exactly where the step says they
// should, and what the step must not touch keeps its kernel identity (ifindex, read with `ip`);
// back to the default step (again the exact steps), checks, `preview --expect-no-changes`,
// destroy, no namespace left. The three lessons run side by side (their own stacks and prefixes):
// the CLI spends most of its time waiting, and this file must stay well under four minutes.
// A bad `hops` fails the preview with one line and creates nothing.
import { describe, expect, it } from "vitest";
import { exec } from "../../provider/host/run";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { REPO, TestStack } from "./harness";
import { expectPictureMatches } from "./pictures";
import { check, expectAllPass, type StepCase } from "./lesson-checks";

const prefix = filePrefix("cha");
// Leak check, then clean-up (test/support/lifecycle.ts): the stacks that may still hold resources
// are destroyed at the end (a test takes its own off the list once it destroyed it).
const life = fileLifecycle(prefix);
const live = {
    add: (s: TestStack) => { life.stacks.push(s); },
    delete: (s: TestStack) => { const i = life.stacks.indexOf(s); if (i >= 0) life.stacks.splice(i, 1); },
};
const who = { kind: "Test", name: "lessons-chapters-a", op: "read" as const };

/** A step of a chapter lesson also names the links whose ifindex it must keep. */
type ChapterStep = StepCase & { kept: string[] };

const cases: ChapterStep[] = [
    {
        lesson: "ttl-traceroute", tag: "ttl", key: "hops", other: "4",
        // router4 and what it needs, router3's way onward; router3 unplugged from the switch.
        there: [
            "create gw3-veth1-ip", "create gw4-lan-ip", "create gw4-veth0-ip", "create router3-onward", "create router3-router4",
            "create router4", "create router4-back", "create router4-forward", "create router4-switch",
            "delete gw3-lan-ip", "delete router3-switch",
        ],
        back: [
            "create gw3-lan-ip", "create router3-switch",
            "delete gw3-veth1-ip", "delete gw4-lan-ip", "delete gw4-veth0-ip", "delete router3-onward", "delete router3-router4",
            "delete router4", "delete router4-back", "delete router4-forward", "delete router4-switch",
        ],
        flips: ["ns1 reaches ns2 (198.51.100.1)", "ns2 reaches ns1 (192.0.2.1)", "traceroute from ns1 to 198.51.100.1", "ns1 -> 198.51.100.1 (ping -t 4)"],
        // The target keeps its cable; the chain before router3 keeps its cables.
        kept: ["ns2/ns2-veth0", "switch/sw-ns2", "ns1/ns1-veth0", "router1/gw1-veth0", "router2/gw2-veth1", "router3/gw3-veth0"],
    },
    {
        lesson: "path-mtu", tag: "mtu", key: "middleMtu", other: "1492",
        there: ["update gateway1-gateway2"],
        back: ["update gateway1-gateway2"],
        // (1028 bytes without DF still get through: that check holds in both steps.)
        flips: ["gateway1's links", "gateway2's links", "hostA -> 198.51.100.1 (ping -M do -s 1000)", "hostA remembers the path MTU",
            "2000 bytes of data from hostA", "tracepath from hostA"],
        // Both ends of the middle link are updated in place: the same interfaces.
        kept: ["gateway1/gw1-veth1", "gateway2/gw2-veth0", "hostA/hostA-veth0", "hostB/hostB-veth0"],
    },
    {
        lesson: "routing-table", tag: "rtt", key: "slash25", other: "off",
        there: ["delete ns1-to-25"],
        back: ["create ns1-to-25"],
        flips: ["ns1's routing table", "ns1: ip route get 198.51.100.200", "traceroute from ns1 to 198.51.100.200"],
        kept: ["ns1/ns1-veth0", "routerA/gwA-veth0", "routerB/gwB-veth0"],
    },
];

/**
 * `pulumi up --json`: the update's own steps, as "op name" sorted, leaving out "same" and the
 * stack itself. A replacement would show as create-replacement / replace / delete-replaced.
 * `extra` may set config for the update (`--config key=value`, saved to the stack as `config set` does).
 */
async function upSteps(stack: TestStack, extra: string[] = []): Promise<string[]> {
    const r = await stack.run(["up", "--yes", "--skip-preview", "--json", ...extra]);
    if (r.exitCode !== 0) throw new Error(`pulumi up failed (exit ${r.exitCode})\n${r.stdout}\n${r.stderr}`);
    const steps = new Set<string>();
    for (const line of r.stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const meta = (JSON.parse(line) as { resourcePreEvent?: { metadata: { op: string; urn: string; type: string } } }).resourcePreEvent?.metadata;
        if (meta && meta.op !== "same" && meta.type !== "pulumi:pulumi:Stack") steps.add(`${meta.op} ${meta.urn.split("::").pop()}`);
    }
    return [...steps].sort();
}

/** The ifindex of each link, read from the kernel (`ip -j link show` in its namespace). */
async function ifindexes(lessonPrefix: string, links: string[]): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    for (const l of links) {
        const [ns, ifname] = l.split("/") as [string, string];
        const r = await exec(who, ["ip", "-n", `${lessonPrefix}${ns}`, "-j", "link", "show", "dev", ifname]);
        out[l] = r.exitCode === 0 ? (JSON.parse(r.stdout) as { ifindex: number }[])[0]?.ifindex : undefined;
    }
    return out;
}

/** A stack of the lessons project for `lesson`, its namespaces named `${nsPrefix}...` (two CLI runs: init, set-all). */
async function lessonStack(name: string, lesson: string, nsPrefix: string): Promise<TestStack> {
    const stack = await TestStack.create(name, REPO, {});
    await stack.must(["config", "set-all", "--plaintext", `lesson=${lesson}`, "--plaintext", `prefix=${nsPrefix}`]);
    return stack;
}

/** Seconds spent per phase, for the closing line of each lesson (the file must stay well under four minutes). */
function timer() {
    const start = Date.now();
    let last = start;
    const phases: string[] = [];
    const mark = (phase: string) => {
        const now = Date.now();
        phases.push(`${phase} ${((now - last) / 1000).toFixed(1)}`);
        last = now;
    };
    mark.report = () => `${((Date.now() - start) / 1000).toFixed(1)} s (${phases.join(", ")})`;
    return mark;
}

describe("chapter lessons (seeds 000, 002, 003, 004) through the real Pulumi CLI", () => {
    it.concurrent.each(cases)("$lesson: up, checks, step $key=$other and back with the exact steps, destroy", async (c) => {
        const p = `${prefix}${c.tag}-`;
        const time = timer();
        const stack = await lessonStack(`${prefix}${c.lesson}`, c.lesson, p);
        live.add(stack);

        await stack.up();
        time("up");
        await expectPictureMatches(stack, c.lesson, p);
        await expectAllPass(c.lesson, p, {});
        const before = await ifindexes(p, c.kept);
        expect(Object.values(before).every((i) => typeof i === "number"), `links to watch exist: ${JSON.stringify(before)}`).toBe(true);
        time("checks");

        // The step: exactly the steps the lesson claims; its checks pass; the default step's checks fail where they should.
        expect(await upSteps(stack, ["--config", `${c.key}=${c.other}`])).toEqual(c.there);
        time("step");
        await expectAllPass(c.lesson, p, { [c.key]: c.other });
        const flipped = await check(c.lesson, p, {});
        expect(flipped.failed.map((t) => c.flips.find((f) => t.startsWith(f)) ?? t)).toEqual(c.flips);
        expect(await ifindexes(p, c.kept), "the step kept these links").toEqual(before);
        time("checks");

        // Back to the default step (the key removed: the default applies).
        await stack.must(["config", "rm", c.key]);
        expect(await upSteps(stack)).toEqual(c.back);
        time("back");
        await expectAllPass(c.lesson, p, {});
        expect(await ifindexes(p, c.kept), "back at the default step, the same links").toEqual(before);
        time("checks");
        await stack.expectNoChanges();
        time("no-change preview");

        await stack.destroy();
        live.delete(stack);
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
        time("destroy");
        console.log(`[e2e] ${c.lesson}: ${time.report()}`);
    });

    it.concurrent("ttl-traceroute: a bad hops fails the preview with one line naming key, value and range; nothing is made", async () => {
        const p = `${prefix}bad-`;
        const stack = await lessonStack(`${prefix}bad-hops`, "ttl-traceroute", p);
        live.add(stack);
        const r = await stack.run(["preview", "--config", "hops=9"]);
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout + r.stderr).toContain(`lesson ttl-traceroute: config 'hops' must be a whole number from 1 to 8 (default 3), not "9"`);
        expect(r.stdout + r.stderr, "the message alone, no stack trace").not.toMatch(/^\s+at /m);
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
        live.delete(stack); // nothing to destroy: removing the state directory removes the stack
    });
});

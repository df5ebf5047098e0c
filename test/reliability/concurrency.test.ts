// Concurrency: two lessons brought up at the same time (two stacks, two prefixes, the same
// addresses inside different namespaces), and one lesson twice (the same interface names too), do
// not interfere: both sets of checks pass, both stacks converge, both destroy cleanly. A fixture stack of 102 resources applies with the engine's
// default parallelism and with --parallel 32 without races: up succeeds, the network works, a
// no-change preview passes, destroy leaves nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { type TestStack } from "../e2e/harness";
import { filePrefix } from "../support/prefix";
import {
    expectChecksPass, expectNoLeaks, exportState, fileLifecycle, fixtureStack, lessonChecks, lessonStack,
    mutations, namespacesWith, newCommandLog, readCommandLog, star, starChecks,
} from "./support";

const prefix = filePrefix("conc");
const { stacks, sysctlsBefore } = fileLifecycle(prefix);


describe("two lessons at once", () => {
    it("router and two-routers, up at the same time: both checks pass, both converge, both destroy cleanly", async () => {
        const pair = [
            { lesson: "router", ns: `${prefix}a-` },
            { lesson: "two-routers", ns: `${prefix}b-` },
        ];
        const [a, b] = await Promise.all(pair.map((x, i) => lessonStack(`${prefix}lesson${i}`, x.lesson, x.ns)));
        stacks.push(a!, b!);
        await Promise.all([a!.up(), b!.up()]);
        for (const x of pair) await expectChecksPass(`${x.lesson} (${x.ns})`, lessonChecks(x.lesson, x.ns));
        await Promise.all([a!.expectNoChanges(), b!.expectNoChanges()]);
        await Promise.all([a!.destroy(), b!.destroy()]);
        for (const x of pair) expect(await namespacesWith(x.ns)).toEqual([]);
        console.log("[reliability] concurrency: router and two-routers up at once, checks pass, destroy clean");
    }, 900_000);
});

describe("one lesson twice at once", () => {
    it("router under two prefixes, up at the same time: the same interface names and addresses in other namespaces do not interfere", async () => {
        const nsA = `${prefix}ra-`, nsB = `${prefix}rb-`;
        const [a, b] = await Promise.all([lessonStack(`${prefix}router-a`, "router", nsA), lessonStack(`${prefix}router-b`, "router", nsB)]);
        stacks.push(a, b);
        await Promise.all([a.up(), b.up()]);
        await expectChecksPass(`router (${nsA})`, lessonChecks("router", nsA));
        await expectChecksPass(`router (${nsB})`, lessonChecks("router", nsB));
        await Promise.all([a.expectNoChanges(), b.expectNoChanges()]);
        await Promise.all([a.destroy(), b.destroy()]);
        expect(await namespacesWith(nsA)).toEqual([]);
        expect(await namespacesWith(nsB)).toEqual([]);
        console.log("[reliability] concurrency: router twice at once under two prefixes, checks pass, destroy clean");
    }, 900_000);
});

describe("a topology of 102 resources", () => {
    const HOSTS = 20;
    const p = `${prefix}big-`;
    let stack: TestStack;

    beforeAll(async () => {
        stack = await fixtureStack(`${prefix}big`, star(p, HOSTS));
        stacks.push(stack);
    }, 600_000);

    it.each([
        { how: "the engine's default parallelism", flags: [] as string[] },
        { how: "--parallel 32", flags: ["--parallel", "32"] },
    ])("applies with $how without races: up, checks, no-change preview, destroy", async ({ how, flags }) => {
        const log = newCommandLog(`big-${flags.length ? "p32" : "default"}`);
        const started = Date.now();
        await stack.up(flags, { PULUMI_NETNS_COMMAND_LOG: log });
        const seconds = Math.round((Date.now() - started) / 1000);
        expect((await exportState(stack)).resources).toHaveLength(2 + 5 * HOSTS);
        expect(await namespacesWith(p)).toHaveLength(HOSTS + 1);
        await expectChecksPass(`the star of ${HOSTS} hosts (${how})`, starChecks(p, HOSTS));
        await stack.expectNoChanges();
        const creates = readCommandLog(log).filter((c) => c.op === "create");
        const second = newCommandLog("big-again");
        await stack.up(flags, { PULUMI_NETNS_COMMAND_LOG: second });
        expect(mutations(second)).toEqual([]);
        await stack.destroy();
        expect(await namespacesWith(p)).toEqual([]);
        await expectNoLeaks(p, sysctlsBefore());
        console.log(`[reliability] concurrency: ${2 + 5 * HOSTS} resources with ${how}: up in ${seconds}s (${creates.length} create commands), converged, destroy clean`);
    }, 900_000);
});

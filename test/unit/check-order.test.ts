// How the runner orders a lesson's checks: independent neighbours (echo pings, sysctl reads) run
// at once, every other check alone and in order, and the outcomes come back in the lesson's order.
// The commands are stand-ins that record when they start and end (no processes).
import { describe, expect, it } from "vitest";
import { checkGroups, runChecks } from "../../lab/checks";
import { reaches, sysctlIs } from "../../stacks/checks";
import { lessons } from "../../stacks/lessons";
import type { Check, Output } from "../../stacks/lesson";

const check = (title: string, independent: boolean, extra: Partial<Check> = {}): Check => ({
    title, argv: [title], expect: "exit 0", ok: (r) => r.exitCode === 0, ...(independent ? { independent } : {}), ...extra,
});

describe("checkGroups", () => {
    it.each([
        ["all independent: one group", [true, true, true], [["a", "b", "c"]]],
        ["none independent: one each", [false, false, false], [["a"], ["b"], ["c"]]],
        ["a dependent check splits the independent ones around it", [true, true, false, true, true], [["a", "b"], ["c"], ["d", "e"]]],
        ["a dependent check first stays alone", [false, true, true], [["a"], ["b", "c"]]],
    ] as const)("%s", (_, flags, expected) => {
        const checks = flags.map((f, i) => check("abcde"[i]!, f));
        expect(checkGroups(checks).map((g) => g.map((c) => c.title))).toEqual(expected);
    });

    it("marks echo pings and sysctl reads independent, nothing else by default", () => {
        const node = { label: "ns1", ns: "x-ns1" };
        expect(reaches(node, "192.0.2.1", "ns2").independent).toBe(true);
        expect(sysctlIs(node, "net.ipv4.ip_forward", "1", "forwards").independent).toBe(true);
    });

    it("runs router's independent checks (forwarding on) as one group, and its capture check on its own", () => {
        const checks = lessons.router!.checks("x-", {});
        const captures = checks.filter((c) => c.capture !== undefined);
        expect(captures).toHaveLength(1);
        expect(checks.length - captures.length).toBeGreaterThan(1);
        // A capture counts what passes on the wire: other checks' pings would show in it.
        expect(checkGroups(checks).map((g) => g.length).sort()).toEqual([1, checks.length - 1].sort());
        expect(checkGroups(checks).find((g) => g.length === 1)![0]).toBe(captures[0]);
    });

    it("never runs a check with commands before or after it alongside another (they change or count something)", () => {
        for (const lesson of Object.values(lessons)) {
            for (const group of checkGroups(lesson.checks("x-", {}))) {
                if (group.length > 1) for (const c of group) expect(c.before ?? c.after, `${lesson.name}: ${c.title}`).toBeUndefined();
            }
        }
    });
});

describe("runChecks", () => {
    /** A stand-in runner: each command takes `ms` and logs its start and end; exit 1 for titles starting with "bad". */
    function recorder(ms = 30) {
        const log: string[] = [];
        let running = 0;
        let most = 0;
        const run = async (c: Check, argv: readonly string[]): Promise<Output> => {
            log.push(`start ${argv[0]}`);
            most = Math.max(most, ++running);
            await new Promise((r) => setTimeout(r, ms));
            running--;
            log.push(`end ${argv[0]}`);
            return { exitCode: c.title.startsWith("bad") ? 1 : 0, stdout: `${argv[0]}\n`, stderr: "" };
        };
        return { run, log, most: () => most };
    }

    it("runs independent neighbours at once and returns the outcomes in the checks' order", async () => {
        const r = recorder();
        const slowFirst = check("a", true);
        const out = await runChecks([slowFirst, check("b", true), check("bad-c", true)], r.run);
        expect(r.most()).toBe(3);
        expect(out.map((o) => [o.check.title, o.ok])).toEqual([["a", true], ["b", true], ["bad-c", false]]);
    });

    it("runs a dependent check alone: everything before it has ended, nothing after it has started", async () => {
        const r = recorder();
        const dep = check("dep", false, { before: [["dep-before"]], after: [["dep-after"]] });
        await runChecks([check("a", true), check("b", true), dep, check("c", true), check("d", true)], r.run);
        const at = (e: string) => r.log.indexOf(e);
        expect(at("start dep-before")).toBeGreaterThan(Math.max(at("end a"), at("end b")));
        expect(r.log.slice(at("start dep-before"), at("end dep-after") + 1)).toEqual([
            "start dep-before", "end dep-before", "start dep", "end dep", "start dep-after", "end dep-after",
        ]);
        expect(Math.min(at("start c"), at("start d"))).toBeGreaterThan(at("end dep-after"));
        expect(r.most()).toBe(2);
    });

    it("runs checks that are not marked one after another", async () => {
        const r = recorder(5);
        await runChecks([check("a", false), check("b", false), check("c", false)], r.run);
        expect(r.most()).toBe(1);
        expect(r.log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    });
});

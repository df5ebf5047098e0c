// Drift: an object of each resource kind is removed or altered by hand; `pulumi refresh` reports
// it (the resource deleted from the state, or updated with what the host shows); the lesson's
// checks fail meanwhile (the drift matters); the next `up` restores it, the checks pass again and
// a no-change preview passes. Namespace, VethPair, Address, Route and Sysctl in the router lesson;
// Bridge and Rule in the VPC lesson. Every change by hand is made inside the lessons' own
// namespaces.
import { beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../lab/checks";
import { type CliResult, type TestStack } from "../e2e/harness";
import { sh } from "../e2e/resource-support";
import { filePrefix } from "../support/prefix";
import { expectChecksPass, fileLifecycle, lessonChecks, lessonStack, namespacesWith } from "./support";

const prefix = filePrefix("drift");
const { stacks } = fileLifecycle(prefix, () => `[reliability] drift: ${scenarios} scenarios reported by refresh and restored by up`);
let scenarios = 0;


/** What refresh printed about one resource: "deleted" (gone from the host), "updated" (changed there), or "unchanged". */
function verdict(r: CliResult, kind: string, name: string): "deleted" | "updated" | "unchanged" {
    const line = new RegExp(`^\\s*[-~]\\s+\\S*netns:${kind} ${name} (deleted|updated)\\b`, "m").exec(r.stdout);
    return (line?.[1] as "deleted" | "updated" | undefined) ?? "unchanged";
}

interface Drift {
    what: string;
    /** The change by hand, as argv lists, given the lesson's namespace prefix. */
    by: (p: string) => string[][];
    /** What refresh must report: "Kind name" -> verdict. */
    reports: Record<string, "deleted" | "updated">;
}

/** Makes the change, refreshes, checks the report and that the checks fail, then ups and checks again. */
async function driftAndRestore(stack: TestStack, lesson: string, nsPrefix: string, d: Drift) {
    for (const argv of d.by(nsPrefix)) await sh(...argv);
    const r = await stack.refresh();
    for (const [res, want] of Object.entries(d.reports)) {
        const [kind, name] = res.split(" ") as [string, string];
        expect(verdict(r, kind, name), `refresh after "${d.what}" should report ${res} ${want}:\n${r.stdout}`).toBe(want);
    }
    const broken = (await runChecks(lessonChecks(lesson, nsPrefix))).filter((o) => !o.ok);
    expect(broken.length, `after "${d.what}" some check of ${lesson} should fail`).toBeGreaterThan(0);
    expect((await stack.changes()).length, "the plan restores what drifted").toBeGreaterThan(0);
    await stack.up();
    await expectChecksPass(`${lesson} after "${d.what}" and up`, lessonChecks(lesson, nsPrefix));
    await stack.expectNoChanges();
    scenarios++;
}

const inNs = (ns: string, ...argv: string[]) => ["ip", "netns", "exec", ns, ...argv];

describe("router lesson: Namespace, VethPair, Address, Route, Sysctl", () => {
    const nsPrefix = `${prefix}rt-`;
    let stack: TestStack;

    beforeAll(async () => {
        stack = await lessonStack(`${prefix}router`, "router", nsPrefix);
        stacks.push(stack);
        await stack.up();
        await expectChecksPass("router", lessonChecks("router", nsPrefix));
    }, 600_000);

    const drifts: Drift[] = [
        {
            what: "VethPair: the veth deleted by hand",
            by: (p) => [["ip", "-n", `${p}ns1`, "link", "del", "dev", "ns1-veth0"]],
            reports: { "VethPair ns1-router": "deleted", "Address ns1-ip": "deleted", "Address gw-veth0-ip": "deleted", "Route ns1-default": "deleted" },
        },
        {
            what: "VethPair: an end set down by hand",
            by: (p) => [["ip", "-n", `${p}ns2`, "link", "set", "dev", "ns2-veth0", "down"]],
            reports: { "VethPair ns2-router": "updated" },
        },
        {
            what: "Address: flushed by hand",
            by: (p) => [["ip", "-n", `${p}ns2`, "address", "flush", "dev", "ns2-veth0"]],
            reports: { "Address ns2-ip": "deleted", "Route ns2-default": "deleted" },
        },
        {
            what: "Route: the default route deleted by hand",
            by: (p) => [["ip", "-n", `${p}ns1`, "route", "del", "default"]],
            reports: { "Route ns1-default": "deleted" },
        },
        {
            what: "Route: the gateway changed by hand",
            by: (p) => [["ip", "-n", `${p}ns1`, "route", "replace", "default", "via", "192.0.2.253"]],
            reports: { "Route ns1-default": "updated" },
        },
        {
            what: "Sysctl: ip_forward set back to 0 by hand",
            by: (p) => [inNs(`${p}router`, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0")],
            reports: { "Sysctl router-forward": "updated" },
        },
        {
            what: "Namespace: the router's namespace deleted by hand",
            by: (p) => [["ip", "netns", "del", `${p}router`]],
            reports: { "Namespace router": "deleted", "VethPair ns1-router": "deleted", "VethPair ns2-router": "deleted", "Sysctl router-forward": "deleted", "Address gw-veth0-ip": "deleted" },
        },
    ];

    it.each(drifts)("$what: refresh reports it, up restores it, the checks pass again", async (d) => {
        await driftAndRestore(stack, "router", nsPrefix, d);
    }, 600_000);

    it("destroy leaves nothing", async () => {
        await stack.destroy();
        expect(await namespacesWith(nsPrefix)).toEqual([]);
    }, 600_000);
});

describe("VPC lesson: Bridge and Rule", () => {
    const nsPrefix = `${prefix}vpc-`;
    let stack: TestStack;

    beforeAll(async () => {
        stack = await lessonStack(`${prefix}vpc`, "vpc", nsPrefix);
        stacks.push(stack);
        await stack.up();
        await expectChecksPass("vpc", lessonChecks("vpc", nsPrefix));
    }, 600_000);

    const drifts: Drift[] = [
        {
            what: "Rule: the association rule deleted by hand",
            by: (p) => [["ip", "-n", `${p}dev-vpc`, "rule", "del", "priority", "1000"]],
            reports: { "Rule dev-routetable-association-rule": "deleted" },
        },
        {
            what: "Rule: its table changed by hand",
            by: (p) => [
                ["ip", "-n", `${p}dev-vpc`, "rule", "del", "priority", "1000"],
                ["ip", "-n", `${p}dev-vpc`, "rule", "add", "from", "192.168.1.0/28", "priority", "1000", "lookup", "100"],
            ],
            reports: { "Rule dev-routetable-association-rule": "updated" },
        },
        {
            what: "Bridge: set down by hand",
            by: (p) => [["ip", "-n", `${p}dev-vpc`, "link", "set", "dev", "br-public", "down"]],
            reports: { "Bridge dev-subnet-public-bridge": "updated" },
        },
        {
            what: "Bridge: deleted by hand",
            by: (p) => [["ip", "-n", `${p}dev-vpc`, "link", "del", "dev", "br-public"]],
            reports: { "Bridge dev-subnet-public-bridge": "deleted", "Address dev-subnet-public-router": "deleted", "VethPair dev-web-eni": "updated" },
        },
    ];

    it.each(drifts)("$what: refresh reports it, up restores it, the checks pass again", async (d) => {
        await driftAndRestore(stack, "vpc", nsPrefix, d);
    }, 600_000);

    it("destroy leaves nothing", async () => {
        await stack.destroy();
        expect(await namespacesWith(nsPrefix)).toEqual([]);
    }, 600_000);
});

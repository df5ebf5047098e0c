// Lesson 5, vpc (seed 001), through the real Pulumi CLI: up, the lesson's checks, a no-change
// preview; the step publicAssociation=off plans exactly the deletion of the association (a
// component) and its one rule, and cuts dev-web off the internet while everything else stays
// (same ifindexes); back on plans exactly their creation; refresh changes nothing; an address AWS
// reserves is refused before anything is made; destroy leaves nothing, and the host's own rules
// and routes are the same as before.
import { describe, expect, it } from "vitest";
import { formatOutcome, runChecks } from "../../lab/checks";
import { lessons } from "../../stacks/lessons";
import { exec } from "../../provider/host/run";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { REPO, TestStack } from "./harness";
import { expectPictureMatches } from "./pictures";

const prefix = filePrefix("vpc");
const life = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

const who = { kind: "Test", name: "lesson-vpc", op: "read" as const };

async function run(argv: string[]) {
    return exec(who, argv);
}

/** The host's own rules and routes, IPv4 and IPv6: the lesson must never touch them. */
async function hostRouting(): Promise<string> {
    const parts = [];
    for (const args of [["-4", "rule", "show"], ["-6", "rule", "show"], ["-4", "route", "show", "table", "all"], ["-6", "route", "show", "table", "all"]]) {
        parts.push((await run(["ip", "-j", ...args])).stdout);
    }
    return parts.join("\n");
}

async function checks(config: Record<string, string>) {
    const outcomes = await runChecks(lessons.vpc!.checks(prefix, config));
    const failed = outcomes.filter((o) => !o.ok);
    return { count: outcomes.length, failed: failed.map((o) => o.check.title), report: failed.map(formatOutcome).join("\n\n") };
}

async function expectAllPass(config: Record<string, string>) {
    const r = await checks(config);
    expect(r.count).toBeGreaterThanOrEqual(7);
    expect(r.report, `vpc checks ${JSON.stringify(config)} failed:\n${r.report}`).toBe("");
}

/** ifindex of every link in the lesson's namespaces: the same after a step means nothing was replaced. */
async function identity(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const ns of ["dev-vpc", "dev-web", "dev-db", "internet"]) {
        const links = JSON.parse((await run(["ip", "-n", `${prefix}${ns}`, "-j", "link", "show"])).stdout || "[]") as { ifname: string; ifindex: number }[];
        for (const l of links) out[`${ns}/${l.ifname}`] = l.ifindex;
    }
    return out;
}

const routingBefore = hostRouting();

describe("lesson vpc through the real Pulumi CLI", () => {
    it("up, checks, association off and on with their exact plans, refresh, destroy", async () => {
        const stack = await TestStack.create(`${prefix}vpc`, REPO, { lesson: "vpc", prefix });
        life.stacks.push(stack);

        // The plan: everything is created, and preview makes nothing.
        const plan = await stack.changes();
        expect(plan.every((s) => s.startsWith("create "))).toBe(true);
        expect(plan).toEqual(expect.arrayContaining([
            "create dev-vpc", "create dev-subnet-public", "create dev-subnet-private", "create dev-igw", "create dev-routetable",
            "create dev-routetable-association", "create dev-routetable-association-rule", "create dev-web", "create dev-db", "create internet",
        ]));
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);

        await stack.up();
        await expectPictureMatches(stack, "vpc", prefix);
        await expectAllPass({});
        await stack.expectNoChanges();
        const outputs = await stack.outputs();
        expect(outputs).toMatchObject({ publicAssociation: "on", routeTable: 101, mainRouteTable: 100, webIp: "192.168.1.4", dbIp: "192.168.2.4" });
        const before = await identity();
        expect(Object.keys(before)).toEqual(expect.arrayContaining(["dev-vpc/br-public", "dev-vpc/br-private", "dev-vpc/dev-web", "dev-vpc/dev-db", "dev-vpc/dev-igw", "dev-web/eth0", "internet/eth0"]));

        // Step: remove the association. The plan is the association and its one rule, nothing else.
        await stack.setConfig({ publicAssociation: "off" });
        expect(await stack.changes()).toEqual(["delete dev-routetable-association", "delete dev-routetable-association-rule"]);
        await stack.up();
        await expectAllPass({ publicAssociation: "off" });
        // dev-web is cut off: exactly the association's checks of the default step fail now.
        const flipped = await checks({});
        expect(flipped.failed).toEqual([
            "dev-vpc has the association rule: from 192.168.1.0/28 lookup 101 (dev-routetable), priority 1000",
            "dev-vpc looks up dev-web's traffic to the internet in table 101: via 203.0.113.1 dev dev-igw",
            "dev-web reaches the internet (203.0.113.1): dev-subnet-public's route table sends 0.0.0.0/0 to dev-igw",
        ]);
        const ping = await run(["ip", "netns", "exec", `${prefix}dev-web`, "ping", "-n", "-c", "1", "-W", "1", "203.0.113.1"]);
        expect(ping.exitCode).not.toBe(0);
        expect(ping.stdout).toMatch(/From 192\.168\.1\.1 icmp_seq=1 Destination Net Unreachable/);
        await stack.expectNoChanges();
        expect(await identity()).toEqual(before);

        // Back on: exactly the two creations.
        await stack.must(["config", "rm", "publicAssociation"]);
        expect(await stack.changes()).toEqual(["create dev-routetable-association", "create dev-routetable-association-rule"]);
        await stack.up();
        await expectAllPass({});
        await stack.expectNoChanges();
        expect(await identity()).toEqual(before);
        // What the provider reads back from the kernel is what the program declares.
        await stack.refresh();
        await stack.expectNoChanges();

        // An address AWS keeps is refused at preview, with the reason, and nothing changes.
        await stack.setConfig({ webIp: "192.168.1.3" });
        const refused = await stack.run(["preview"]);
        expect(refused.exitCode).not.toBe(0);
        expect(refused.stdout + refused.stderr).toContain("Instance dev-web: 192.168.1.3 cannot be used in subnet dev-subnet-public (192.168.1.0/28): AWS reserves it (for future use)");
        expect(refused.stdout + refused.stderr).toContain("use an address from 192.168.1.4 to 192.168.1.14");
        // The last usable address is fine: dev-web's address is replaced, and with it its default
        // route (the kernel deletes the routes of a device with its last IPv4 address).
        await stack.setConfig({ webIp: "192.168.1.14" });
        expect(await stack.changes()).toEqual(["replace dev-web-default", "replace dev-web-ip"]);
        await stack.must(["config", "rm", "webIp"]);
        await stack.expectNoChanges();

        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);
    });

    // Before the file's leak check and clean-up: the lesson never touched the host's own routing.
    it("left the host's own rules and routes as they were", async () => {
        expect(await hostRouting()).toBe(await routingBefore);
    });
});

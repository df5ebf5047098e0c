// The pieces of the recovery from an interrupted run (lab/recover.ts) and of the provider's side
// of it (provider/impl.ts recoveryAdopts) that need no CLI and no root.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { locks, parseRecoverArgs, pendingCreates, recover, repairCheckpoint, type Deployment } from "../../lab/recover";
import { recoveryAdopts } from "../../provider/impl";
import { issueGrant } from "../../provider/ownership/recovery";

const T = (kind: string) => `pulumi-nodejs:dynamic/netns:${kind}`;
const op = (kind: string, name: string, inputs: Record<string, unknown>, type = "creating") =>
    ({ type, resource: { urn: `urn:pulumi:s::p::${T(kind)}::${name}`, type: T(kind), inputs: { __provider: "x", resourceName: name, ...inputs } } });

describe("pendingCreates", () => {
    it("gives each pending create of ours the ID its object has, from the recorded inputs", () => {
        const d: Deployment = {
            pending_operations: [
                op("Namespace", "ns1", { name: "t-ns1", adopt: false }),
                op("VethPair", "p", { name: "a", namespace: "t-ns1", peerName: "b", peerNamespace: "t-ns2" }),
                op("Address", "ip", { namespace: "t-ns1", dev: "a", address: "192.0.2.1/24" }),
                op("Route", "r", { namespace: "t-ns1", to: "default", via: "192.0.2.254" }),
                op("Sysctl", "s", { namespace: "t-ns1", key: "net.ipv4.ip_forward", value: "1" }),
                op("Rule", "ru", { namespace: "t-ns1", priority: 1000, from: "192.168.1.0/28", lookup: 100 }),
                op("Bridge", "br", { name: "br0", namespace: "t-ns1" }),
            ],
        };
        expect(pendingCreates(d).map((p) => `${p.kind}:${p.id}`)).toEqual([
            "Namespace:t-ns1", "VethPair:t-ns1/a", "Address:t-ns1/a/192.0.2.1/24", "Route:t-ns1/main/default",
            "Sysctl:t-ns1/net.ipv4.ip_forward", "Rule:t-ns1/1000 from 192.168.1.0/28 to all", "Bridge:t-ns1/br0",
        ]);
    });

    it("leaves out other operations, other providers' resources and inputs that never passed check", () => {
        const d: Deployment = {
            pending_operations: [
                op("Namespace", "upd", { name: "t-a" }, "updating"),
                { type: "creating", resource: { urn: "urn:x", type: "aws:s3/bucket:Bucket", inputs: {} } },
                op("Namespace", "bad", { name: "-all" }),
            ],
        };
        expect(pendingCreates(d)).toEqual([]);
    });
});

describe("recoveryAdopts (PULUMI_NETNS_RECOVERY: one stack, one run)", () => {
    const owner = { project: "p", stack: "s" };
    let revoke = () => {};
    afterEach(() => {
        revoke();
        for (const v of ["PULUMI_NETNS_RECOVERY", "PULUMI_NETNS_ADOPT_IDS", "PULUMI_NETNS_ADOPT_NAMESPACES"]) delete process.env[v];
        vi.restoreAllMocks();
    });
    const grant = (ids: string[], namespaces: string[] = [], o = owner) => {
        const g = issueGrant(o, ids, namespaces);
        revoke = g.revoke;
        process.env.PULUMI_NETNS_RECOVERY = g.value;
        return g;
    };

    it("names exactly the listed objects of its stack", () => {
        grant(["Namespace:t-ns1", "VethPair:t-ns1/a"]);
        expect(recoveryAdopts("Namespace", "t-ns1", ["t-ns1"], owner)).toBe(true);
        expect(recoveryAdopts("VethPair", "t-ns1/a", ["t-ns1", "t-ns2"], owner)).toBe(true);
        expect(recoveryAdopts("Namespace", "t-ns2", ["t-ns2"], owner)).toBe(false);
        expect(recoveryAdopts("Address", "t-ns1", ["t-ns1"], owner)).toBe(false);
    });

    it("grants nothing to another stack, another project or a resource without an owner", () => {
        const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
        grant(["Namespace:t-ns1"], ["t-ns1"]);
        expect(recoveryAdopts("Namespace", "t-ns1", ["t-ns1"], { project: "p", stack: "other" })).toBe(false);
        expect(recoveryAdopts("Namespace", "t-ns1", ["t-ns1"], { project: "q", stack: "s" })).toBe(false);
        expect(recoveryAdopts("Namespace", "t-ns1", ["t-ns1"])).toBe(false);
        expect(err.mock.calls.map((c) => String(c[0])).join("")).toMatch(/PULUMI_NETNS_RECOVERY was written for stack p\/s, not for p\/other: it grants nothing/);
    });

    it("grants nothing once the recovery's run has ended (its token file is gone), or with another token", () => {
        const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
        const g = grant(["Namespace:t-ns1"]);
        expect(recoveryAdopts("Namespace", "t-ns1", [], owner)).toBe(true);
        const forged = JSON.parse(g.value) as { token: string };
        process.env.PULUMI_NETNS_RECOVERY = JSON.stringify({ ...forged, token: "0".repeat(64) });
        expect(recoveryAdopts("Namespace", "t-ns1", [], owner)).toBe(false);
        process.env.PULUMI_NETNS_RECOVERY = g.value;
        g.revoke();
        expect(recoveryAdopts("Namespace", "t-ns1", [], owner)).toBe(false);
        const said = err.mock.calls.map((c) => String(c[0])).join("");
        expect(said).toMatch(/token does not match/);
        expect(said).toMatch(/names a recovery that has ended/);
    });

    it("the unscoped variables of earlier releases grant nothing, with a warning", () => {
        const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
        process.env.PULUMI_NETNS_ADOPT_IDS = JSON.stringify(["Namespace:t-ns1"]);
        process.env.PULUMI_NETNS_ADOPT_NAMESPACES = JSON.stringify(["t-ns1"]);
        expect(recoveryAdopts("Namespace", "t-ns1", ["t-ns1"], owner)).toBe(false);
        expect(err.mock.calls.map((c) => String(c[0])).join("")).toMatch(/PULUMI_NETNS_ADOPT_IDS and PULUMI_NETNS_ADOPT_NAMESPACES are ignored/);
    });

    it("adopts nothing when unset or not a grant", () => {
        vi.spyOn(process.stderr, "write").mockImplementation(() => true);
        expect(recoveryAdopts("Namespace", "t-ns1", [], owner)).toBe(false);
        process.env.PULUMI_NETNS_RECOVERY = "Namespace:t-ns1";
        expect(recoveryAdopts("Namespace", "t-ns1", [], owner)).toBe(false);
        process.env.PULUMI_NETNS_RECOVERY = JSON.stringify({ project: "p", stack: "s", ids: ["Namespace:t-ns1"] });
        expect(recoveryAdopts("Namespace", "t-ns1", [], owner)).toBe(false);
    });
});

describe("recover passes the grant to its one up only", () => {
    it("the up gets PULUMI_NETNS_RECOVERY for this stack, whose token file exists during the up and is gone after it", async () => {
        const calls: { args: string[]; env: Record<string, string> | undefined; tokenFile?: boolean }[] = [];
        const deployment = { pending_operations: [op("Namespace", "ns1", { name: "t-ns1", adopt: false })] };
        const cli = async (args: string[], env?: Record<string, string>) => {
            const call: (typeof calls)[number] = { args, env };
            if (env?.PULUMI_NETNS_RECOVERY) call.tokenFile = existsSync((JSON.parse(env.PULUMI_NETNS_RECOVERY) as { file: string }).file);
            calls.push(call);
            return { exitCode: 0, stdout: args[0] === "stack" ? JSON.stringify({ deployment }) : "", stderr: "" };
        };
        const ended = vi.fn(async () => []);
        const rec = await recover(cli, { backendUrl: "https://api.pulumi.com", project: "p", stack: "s" }, () => {}, async () => [], ended);
        expect(ended).toHaveBeenCalledWith({ backendUrl: "https://api.pulumi.com", project: "p", stack: "s" }, expect.any(Function));
        expect(rec.ended).toEqual([]);
        const up = calls.find((c) => c.args[0] === "up")!;
        expect(Object.keys(up.env ?? {})).toEqual(["PULUMI_NETNS_RECOVERY"]);
        const g = JSON.parse(up.env!.PULUMI_NETNS_RECOVERY!) as { project: string; stack: string; ids: string[]; namespaces: string[]; file: string };
        expect([g.project, g.stack, g.ids, g.namespaces]).toEqual(["p", "s", ["Namespace:t-ns1"], []]);
        expect(up.tokenFile).toBe(true);
        expect(existsSync(g.file)).toBe(false);
        expect(calls.filter((c) => c.args[0] !== "up").every((c) => !c.env?.PULUMI_NETNS_RECOVERY)).toBe(true);
    });
});

describe("pulumi-netns recover's arguments", () => {
    it("takes --stack and --cwd, and refuses anything else", () => {
        expect(parseRecoverArgs(["--stack", "dev"])).toEqual({ stack: "dev" });
        expect(parseRecoverArgs(["--stack=dev", "--cwd", "/p"])).toEqual({ stack: "dev", cwd: "/p" });
        expect(() => parseRecoverArgs([])).toThrow(/which stack\? pass --stack NAME/);
        expect(() => parseRecoverArgs(["--stack"])).toThrow(/--stack needs a value/);
        expect(() => parseRecoverArgs(["--stack", "dev", "--yes"])).toThrow(/unknown argument "--yes"/);
    });
});

describe("the file backend's leftovers", () => {
    let dir = "";
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("repairCheckpoint removes an empty or unreadable .attrs file of the stack's checkpoint, and nothing else", () => {
        dir = mkdtempSync(join(tmpdir(), "recover-unit-"));
        const stacks = join(dir, ".pulumi", "stacks", "proj");
        mkdirSync(stacks, { recursive: true });
        writeFileSync(join(stacks, "s1.json"), "{}");
        writeFileSync(join(stacks, "s1.json.attrs"), "");
        writeFileSync(join(stacks, "s1.json.bak.attrs"), "{\"md5\":\"x\"}");
        writeFileSync(join(stacks, "s2.json.attrs"), "");
        expect(repairCheckpoint(`file://${dir}`, "proj", "s1")).toEqual([join(stacks, "s1.json.attrs")]);
        expect(readdirSync(stacks).sort()).toEqual(["s1.json", "s1.json.bak.attrs", "s2.json.attrs"]);
        expect(repairCheckpoint("https://api.pulumi.com", "proj", "s1")).toEqual([]);
    });

    it("locks tells a dead run's lock from a live one", () => {
        dir = mkdtempSync(join(tmpdir(), "recover-unit-"));
        const l = join(dir, ".pulumi", "locks", "organization", "proj", "s1");
        mkdirSync(l, { recursive: true });
        writeFileSync(join(l, "a.json"), JSON.stringify({ pid: process.pid, hostname: hostname() }));
        writeFileSync(join(l, "b.json"), JSON.stringify({ pid: 2 ** 22 + 1, hostname: hostname() }));
        writeFileSync(join(l, "c.json"), JSON.stringify({ pid: 1, hostname: "elsewhere" }));
        const got = locks(`file://${dir}?no_tmp_dir=true`, "proj", "s1").map((x) => [x.pid, x.alive]).sort();
        expect(got).toEqual([[1, true], [process.pid, true], [2 ** 22 + 1, false]].sort());
    });
});

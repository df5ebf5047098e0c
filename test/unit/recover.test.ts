// The pieces of the recovery from an interrupted run (lab/recover.ts) and of the provider's side
// of it (provider/impl.ts recoveryAdopts) that need no CLI and no root.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { locks, pendingCreates, repairCheckpoint, type Deployment } from "../../lab/recover";
import { recoveryAdopts } from "../../provider/impl";

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

describe("recoveryAdopts (PULUMI_NETNS_ADOPT_IDS)", () => {
    afterEach(() => { delete process.env.PULUMI_NETNS_ADOPT_IDS; });

    it("names exactly the listed objects", () => {
        process.env.PULUMI_NETNS_ADOPT_IDS = JSON.stringify(["Namespace:t-ns1", "VethPair:t-ns1/a"]);
        expect(recoveryAdopts("Namespace", "t-ns1")).toBe(true);
        expect(recoveryAdopts("VethPair", "t-ns1/a")).toBe(true);
        expect(recoveryAdopts("Namespace", "t-ns2")).toBe(false);
        expect(recoveryAdopts("Address", "t-ns1")).toBe(false);
    });

    it("adopts nothing when unset or not a JSON list", () => {
        expect(recoveryAdopts("Namespace", "t-ns1")).toBe(false);
        process.env.PULUMI_NETNS_ADOPT_IDS = "Namespace:t-ns1";
        expect(recoveryAdopts("Namespace", "t-ns1")).toBe(false);
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

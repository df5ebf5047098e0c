// LinkShaping through the real Pulumi CLI (issue 24 item 2): a veth pair between two namespaces
// with a rate limit on one end; up, a preview that plans nothing, an in-place change (plan
// "update shape", the link's ifindex kept), drift made by hand (refresh reports it, up repairs
// it), netem failing with its one line on this kernel, destroy leaving no qdisc.
import { describe, expect, it } from "vitest";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import { config, link, printed, ref, refreshVerdict, sh, upFails, type Spec } from "./resource-support";

const prefix = filePrefix("tc");
const { stacks } = fileLifecycle(prefix);
const A = `${prefix}a`, B = `${prefix}b`;

interface Q { kind: string; handle: string; root?: boolean; options?: { rate?: number; burst?: number; lat?: number; limit?: number } }
const rootOf = async (ns: string, dev: string): Promise<Q | undefined> =>
    (JSON.parse((await sh("tc", "-n", ns, "-raw", "-j", "qdisc", "show", "dev", dev)).trim() || "[]") as Q[]).find((q) => q.root);

const specs = (shape: Record<string, unknown> | undefined): Spec[] => [
    { kind: "Namespace", name: "a", args: { name: A } },
    { kind: "Namespace", name: "b", args: { name: B } },
    { kind: "VethPair", name: "v", args: { name: "va", namespace: ref("a", "name"), peerName: "vb", peerNamespace: ref("b", "name"), addresses: ["192.0.2.1/24"], peerAddresses: ["192.0.2.2/24"] } },
    ...(shape ? [{ kind: "LinkShaping" as const, name: "shape", args: { namespace: ref("v", "namespace"), dev: ref("v", "name"), ...shape } }] : []),
];

describe("LinkShaping", () => {
    let stack: TestStack;
    let ifindex: number | undefined;

    it("up adds a root tbf on one end (egress only), and a second preview plans no change", async () => {
        stack = await TestStack.create(`${prefix}s`, FIXTURE, config(specs({ rate: "8mbit", burst: "16kb", latency: "50ms" })));
        stacks.push(stack);
        await stack.up();
        expect(await rootOf(A, "va")).toMatchObject({ kind: "tbf", handle: "4d:", options: { rate: 1_000_000, lat: 50_000 } });
        expect((await rootOf(B, "vb"))?.kind).not.toBe("tbf");
        ifindex = (await link(A, "va"))?.ifindex;
        expect((await stack.resource("shape"))?.outputs).toMatchObject({ ifindex, qdisc: "tbf", rateBytes: 1_000_000 });
        await stack.expectNoChanges();
    });

    it("a new rate changes it in place: plan 'update shape' only, the link's ifindex kept", async () => {
        await stack.setConfig(config(specs({ rate: "16mbit", burst: "16kb", limit: 100_000 })));
        expect(await stack.changes()).toEqual(["update shape"]);
        await stack.up();
        expect(await rootOf(A, "va")).toMatchObject({ kind: "tbf", handle: "4d:", options: { rate: 2_000_000, limit: 100_000 } });
        expect((await link(A, "va"))?.ifindex).toBe(ifindex);
        await stack.expectNoChanges();
    });

    it("drift made by hand is reported by refresh and repaired by up, in place", async () => {
        await sh("tc", "-n", A, "qdisc", "change", "dev", "va", "root", "handle", "4d:", "tbf", "rate", "4mbit", "burst", "16384", "limit", "100000");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "LinkShaping", "shape")).toBe("updated");
        expect((await stack.resource("shape"))?.outputs).toMatchObject({ rate: "4000000bit", rateBytes: 500_000 });
        expect(await stack.changes()).toEqual(["update shape"]);
        await stack.up();
        expect((await rootOf(A, "va"))?.options?.rate).toBe(2_000_000);
        expect((await link(A, "va"))?.ifindex).toBe(ifindex);
        await stack.expectNoChanges();

        // Removed by hand: refresh drops it, up adds it again.
        await sh("tc", "-n", A, "qdisc", "del", "dev", "va", "root");
        expect(refreshVerdict(await stack.refresh(), "LinkShaping", "shape")).toBe("deleted");
        await stack.up();
        expect(await rootOf(A, "va")).toMatchObject({ kind: "tbf", handle: "4d:" });
        await stack.expectNoChanges();
    });

    it("netem on this kernel fails with its one line and changes nothing", async () => {
        await stack.setConfig(config(specs({ delay: "20ms", loss: 1 })));
        const out = await upFails(stack);
        expect(out).toMatch(/Error: Specified qdisc kind is unknown\./);
        expect(out).toMatch(/hint: +this kernel has no netem qdisc \(CONFIG_NET_SCH_NETEM is not set/);
        expect(out).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
        // The replace of the root failed: the tbf stays as it was.
        expect(await rootOf(A, "va")).toMatchObject({ kind: "tbf", handle: "4d:" });
        expect((await link(A, "va"))?.ifindex).toBe(ifindex);
        await stack.setConfig(config(specs({ rate: "16mbit", burst: "16kb", limit: 100_000 })));
        await stack.expectNoChanges();
    });

    it("removing the resource deletes the qdisc and leaves the link; destroy leaves nothing", async () => {
        await stack.setConfig(config(specs(undefined)));
        expect(await stack.changes()).toEqual(["delete shape"]);
        await stack.up();
        expect((await rootOf(A, "va"))?.handle).toBe("0:");
        expect((await link(A, "va"))?.ifindex).toBe(ifindex);
        await stack.setConfig(config(specs({ rate: "8mbit", burst: "16kb", latency: "50ms" })));
        await stack.up();
        expect((await rootOf(A, "va"))?.kind).toBe("tbf");
        const r = await stack.destroy();
        expect(printed(r)).not.toMatch(/warning: LinkShaping/);
        expect(await link(A, "va")).toBeUndefined();
    });
});

// The ip-tunnel lesson (seed 003) through the real Pulumi CLI: up, its picture, the lesson's own
// checks (the inner traceroute's three hops over the underlay's three, pmtu 1450, the capture on
// the underlay of outer UDP to 4789 carrying the hosts' ICMP); the step ispRoute=off with exactly
// its steps (one underlay route deleted; no inner route and no link touched: the tunnels and
// every cable keep their ifindex), its checks, and the default step's checks failing exactly where
// the tunnel broke; back (one route created), checks, `preview --expect-no-changes`, destroy, no
// namespace left (and the file's leak check).
import { describe, expect, it } from "vitest";
import { exec } from "../../provider/host/run";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { REPO, TestStack } from "./harness";
import { expectPictureMatches } from "./pictures";
import { check, expectAllPass } from "./lesson-checks";

const prefix = filePrefix("tun");
const life = fileLifecycle(prefix);
const who = { kind: "Test", name: "lesson-ip-tunnel", op: "read" as const };

/** `pulumi up --json`: the update's own steps, "op name" sorted, without "same" and the stack. */
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

const kept = ["routerA/vx0", "routerB/vx0", "routerA/gwA-wan", "isp1/isp1-veth1", "isp2/isp2-veth0", "isp2/isp2-veth1", "routerB/gwB-wan", "hostA/hostA-veth0", "hostB/hostB-veth0"];

async function ifindexes(p: string): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    for (const l of kept) {
        const [ns, ifname] = l.split("/") as [string, string];
        const r = await exec(who, ["ip", "-n", `${p}${ns}`, "-j", "link", "show", "dev", ifname]);
        out[l] = r.exitCode === 0 ? (JSON.parse(r.stdout) as { ifindex: number }[])[0]?.ifindex : undefined;
    }
    return out;
}

describe("lesson ip-tunnel through the real Pulumi CLI", () => {
    it("up, checks, step ispRoute=off and back with the exact steps, no-change preview, destroy", async () => {
        const p = prefix;
        const stack = await TestStack.create(`${prefix}ip-tunnel`, REPO, {});
        await stack.must(["config", "set-all", "--plaintext", "lesson=ip-tunnel", "--plaintext", `prefix=${p}`]);
        life.stacks.push(stack);

        await stack.up();
        await expectPictureMatches(stack, "ip-tunnel", p);
        await expectAllPass("ip-tunnel", p, {});
        const before = await ifindexes(p);
        expect(Object.values(before).every((i) => typeof i === "number"), JSON.stringify(before)).toBe(true);

        // One underlay route removed: nothing else changes, and the tunnel no longer carries.
        expect(await upSteps(stack, ["--config", "ispRoute=off"])).toEqual(["delete isp2-back"]);
        await expectAllPass("ip-tunnel", p, { ispRoute: "off" });
        const flipped = await check("ip-tunnel", p, {});
        expect(flipped.failed.map((t) => t.split(":")[0])).toEqual([
            "routerA reaches routerB's tunnel end (198.51.100.2)",
            "hostA reaches hostB (192.0.2.129)",
            "hostB reaches hostA (192.0.2.1)",
            "traceroute from hostA to 192.0.2.129 lists 192.0.2.126, 198.51.100.2, 192.0.2.129",
            "traceroute from routerA to 203.0.113.10 lists 203.0.113.2, 203.0.113.6, 203.0.113.10",
            "tracepath from hostA to 192.0.2.129 reports pmtu 1450",
            "tcpdump in isp1 on isp1-veth1 while hostA pings 192.0.2.129",
        ]);
        expect(await ifindexes(p), "the step kept every link, the tunnels too").toEqual(before);

        await stack.must(["config", "rm", "ispRoute"]);
        expect(await upSteps(stack)).toEqual(["create isp2-back"]);
        await expectAllPass("ip-tunnel", p, {});
        expect(await ifindexes(p)).toEqual(before);
        await stack.expectNoChanges();

        await stack.destroy();
        life.stacks.splice(life.stacks.indexOf(stack), 1);
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 600_000);
});

// What the engine gets back from check: the validated inputs with defaults and implications
// filled in (no root, no processes: check never runs ip).
import { describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { UNKNOWN } from "../../provider/kinds/schemas";

const pair = { name: "a0", namespace: "ns1", peerName: "b0", peerNamespace: "ns2" };

describe("VethPair check", () => {
    it.each([
        ["mtu given, peer follows", { mtu: 1400 }, { mtu: 1400, peerMtu: 1400 }],
        ["both given", { mtu: 1400, peerMtu: 9000 }, { mtu: 1400, peerMtu: 9000 }],
        ["neither: the kernel's choice for both", {}, {}],
    ])("%s", async (_what, extra, want) => {
        const r = await providers.VethPair.check({}, { ...pair, ...extra });
        expect(r.failures).toBeUndefined();
        expect(r.inputs).toMatchObject({ up: true, peerUp: true, ...want });
        if (!("mtu" in extra)) expect(r.inputs).not.toHaveProperty("peerMtu");
    });

    it("leaves inputs alone while a value is still unknown (preview)", async () => {
        const r = await providers.VethPair.check({}, { ...pair, namespace: UNKNOWN, mtu: 1400 });
        expect(r.failures).toBeUndefined();
        expect((r.inputs as Record<string, unknown>).peerMtu).toBeUndefined();
    });
});

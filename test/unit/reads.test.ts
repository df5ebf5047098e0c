// What a failed `ip -j` read means (provider/host/reads.ts): "gone" only when certain.
import { describe, expect, it } from "vitest";
import { readOutcome } from "../../provider/host/reads";

describe("readOutcome", () => {
    const cases: [string, number, string, boolean, string | undefined, ReturnType<typeof readOutcome>][] = [
        ["exit 0", 0, "", true, "veth0", "ok"],
        ["the namespace file is absent", 1, 'Cannot open network namespace "x": No such file or directory', false, undefined, "gone"],
        ["the namespace file is absent, whatever ip printed", 255, "RTNETLINK answers: Operation not permitted", false, "veth0", "gone"],
        ["link show of a device that does not exist", 1, 'Device "veth0" does not exist.', true, "veth0", "gone"],
        ["route show of a device that does not exist", 1, 'Cannot find device "veth0"', true, "veth0", "gone"],
        ["another device does not exist", 1, 'Device "veth1" does not exist.', true, "veth0", "failed"],
        ["a device named like a pattern is matched literally", 1, 'Device "vethX" does not exist.', true, "veth.", "failed"],
        ["a device missing when no device was asked about", 1, 'Device "veth0" does not exist.', true, undefined, "failed"],
        ["no permission", 2, "RTNETLINK answers: Operation not permitted", true, "veth0", "failed"],
        ["a busy kernel", 1, "Cannot send dump request: Resource temporarily unavailable", true, "veth0", "failed"],
        ["a namespace that exists but cannot be entered", 255, 'setting the network namespace "x" failed: Invalid argument', true, "lo", "failed"],
        ["sudo refused", 1, "sudo: a password is required", true, "lo", "failed"],
    ];
    for (const [name, code, stderr, present, dev, want] of cases) {
        it(`${name}: ${want}`, () => expect(readOutcome(code, stderr, present, dev)).toBe(want));
    }
});

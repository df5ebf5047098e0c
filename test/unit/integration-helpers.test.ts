// The integration layer's own helpers (test/integration/helpers.ts), without root: the error-shape
// check accepts the command as run by root (`ip ...`) and through sudo (`sudo -n -- ip ...`), and
// fault injection through PATH says when it cannot work (under sudo, whose secure_path ignores it).
import { describe, expect, it } from "vitest";
import { NetnsError, type Subject } from "../../provider/host/run";
import { expectErrorShape, faultInjectionUnavailable, shownCommand } from "../integration/helpers";

const s: Subject = { kind: "VethPair", name: "p4", op: "create" };
const ipArgv = ["ip", "-n", "ns1", "-echo", "-j", "link", "add", "name", "p4a", "up", "type", "veth", "peer", "name", "p4b", "netns", "ns2"];
const want = { kind: "VethPair", name: "p4", op: "create", command: /^ip -n ns1 -echo -j link add name p4a up type veth peer name p4b netns ns2$/, stderr: /File exists/, hint: /already exists/ };

describe("expectErrorShape", () => {
    it.each([
        { what: "as root", argv: ipArgv },
        { what: "through passwordless sudo", argv: ["sudo", "-n", "--", ...ipArgv] },
    ])("accepts the documented shape $what", ({ argv }) => {
        const err = new NetnsError(s, argv, 2, "RTNETLINK answers: File exists\n", "an interface named p4a already exists");
        expect(err.message.split("\n")[0]).toBe('VethPair "p4" create failed (ip exited 2)');
        expectErrorShape(err, want);
    });

    it("still refuses another command, with or without sudo", () => {
        for (const argv of [["ip", "-n", "ns1", "link", "del", "dev", "p4a"], ["sudo", "-n", "--", "ip", "-n", "ns1", "link", "del", "dev", "p4a"]]) {
            const err = new NetnsError(s, argv, 2, "RTNETLINK answers: File exists\n", "an interface named p4a already exists");
            expect(() => expectErrorShape(err, want)).toThrow();
        }
    });

    it("strips only a leading `sudo -n -- `", () => {
        expect(shownCommand("sudo -n -- ip -n a link show")).toBe("ip -n a link show");
        expect(shownCommand("ip -n a link show")).toBe("ip -n a link show");
        expect(shownCommand("ip netns exec a sudo -n -- ip link")).toBe("ip netns exec a sudo -n -- ip link");
    });
});

describe("faultInjectionUnavailable", () => {
    it("is available as root and not otherwise, saying why", () => {
        expect(faultInjectionUnavailable(0)).toBeUndefined();
        expect(faultInjectionUnavailable(1000)).toMatch(/sudo, whose secure_path ignores the fake ip on PATH/);
    });
});

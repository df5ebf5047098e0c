// What proves that a failed create made an object (provider/ownership/made.ts): the clean-up after a failed
// create removes only what that create made. iproute2's own output, as it prints it.
import { describe, expect, it } from "vitest";
import { addMade, echoed, failedLine, markedByThisResource } from "../../provider/ownership/made";
import { formatMark } from "../../provider/ownership/owner";
import type { Subject } from "../../provider/host/run";

const echo = '[{"ifindex":5,"link":"p0","ifname":"q0","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"address":"0e:52:ec:e1:ff:81"}]\n';

describe("addMade", () => {
    it.each([
        { what: "an argument error (peer netns that does not exist): ip exits before any line runs", out: { stdout: "", stderr: 'Error: argument "nowhere" is wrong: Invalid "netns" value\n\n' }, batch: true, want: false },
        { what: "an argument error (master that does not exist)", out: { stdout: "", stderr: 'Error: argument "br9" is wrong: Device does not exist\n\n' }, batch: true, want: false },
        { what: "the add itself failed (File exists, line 1)", out: { stdout: "", stderr: "RTNETLINK answers: File exists\nCommand failed -:1\n" }, batch: true, want: false },
        { what: "the add succeeded and the alias (line 2) failed", out: { stdout: "", stderr: "RTNETLINK answers: Invalid argument\nCommand failed -:2\n" }, batch: true, want: true },
        { what: "a later line failed (line 12)", out: { stdout: "", stderr: "Command failed -:12\n" }, batch: true, want: true },
        { what: "'Command failed -:2' from a command that is no batch proves nothing", out: { stdout: "", stderr: "Command failed -:2\n" }, batch: false, want: false },
        { what: "the kernel's echo of the new link under this name", out: { stdout: echo, stderr: "Cannot find device \"nope\"\nCommand failed -:3\n" }, batch: true, want: true },
        { what: "an echo of another name", out: { stdout: echo.replace('"q0"', '"q1"'), stderr: "" }, batch: false, want: false },
        { what: "nothing at all (killed before it printed)", out: { stdout: "", stderr: "" }, batch: true, want: false },
    ])("$what: $want", ({ out, batch, want }) => {
        expect(addMade(out, "q0", batch)).toBe(want);
    });

    it("reads the line number and the echo exactly", () => {
        expect(failedLine("Command failed -:1\n")).toBe(1);
        expect(failedLine("Command failed -:10\n")).toBe(10);
        expect(failedLine("RTNETLINK answers: File exists\n")).toBeUndefined();
        expect(echoed("[{}]\n" + echo, "q0")).toBe(true);
        expect(echoed('not json [\n[{"ifname":"q0"}]\n', "q0")).toBe(false); // no ifindex: not an echo of a link
    });
});

describe("markedByThisResource", () => {
    const owner = { project: "p", stack: "s", kind: "VethPair", name: "cable" };
    const s: Subject = { kind: "VethPair", name: "cable", op: "create", owner };
    it.each([
        { what: "this resource's mark", alias: formatMark(owner), subject: s, want: true },
        { what: "this stack's mark for another resource", alias: formatMark({ ...owner, name: "other" }), subject: s, want: false },
        { what: "another stack's mark", alias: formatMark({ ...owner, stack: "t" }), subject: s, want: false },
        { what: "no alias (hand-made)", alias: undefined, subject: s, want: false },
        { what: "a hand-made alias", alias: "uplink", subject: s, want: false },
        { what: "no mark to compare (a state from before marks)", alias: formatMark(owner), subject: { ...s, owner: undefined }, want: false },
    ])("$what: $want", ({ alias, subject, want }) => {
        expect(markedByThisResource(subject, alias)).toBe(want);
    });
});

// LinkShaping without a kernel: the units as tc reads them, the exact `tc` argv, the reading of
// `tc -raw -j qdisc show` (as iproute2 6.1 prints it here, and netem as q_netem.c prints it),
// drift under the input names, the hints, the diff, isMutating for tc, and validation at check
// (a table of valid and hostile inputs, each failure against its property).
import { describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { isMutating } from "../../provider/host/run";
import { argv, asInputs, hint, NO_NETEM, parseLoss, parseQdiscs, parseRate, parseSize, parseTime, shape, type LinkShapingSpec, type QdiscJson } from "../../provider/kinds/shaping";

const spec = (p: Partial<LinkShapingSpec> = {}): LinkShapingSpec => ({ namespace: "ns1", dev: "veth0", adopt: false, ...p });
const tbf = { rate: "10mbit", burst: "32kb", latency: "50ms" };

describe("units, as tc reads them", () => {
    it.each([
        ["10mbit", 10_000_000], ["1.5mbit", 1_500_000], ["1gbit", 1e9], ["125kbps", 1_000_000], ["8bit", 8], ["1tbit", 1e12],
        ["10", undefined], ["10 mbit", undefined], ["10Mbit", undefined], ["10mibit", undefined], ["-1mbit", undefined], ["mbit", undefined],
    ])("rate %j is %s bit/s", (text, bits) => expect(parseRate(text)).toBe(bits));

    it.each([
        [1500, 1500], ["1500", 1500], ["1500b", 1500], ["32kb", 32768], ["32k", 32768], ["1mb", 1048576], ["1gb", 1073741824],
        [1.5, undefined], ["1.5kb", undefined], ["32kbit", undefined], ["", undefined], ["-1", undefined],
    ])("size %j is %s bytes", (v, bytes) => expect(parseSize(v)).toBe(bytes));

    it.each([
        ["50ms", 50_000], ["500us", 500], ["1s", 1_000_000], ["0.5ms", 500], ["2sec", 2_000_000], ["0.5us", undefined], ["50", undefined], ["50 ms", undefined],
    ])("time %j is %s µs", (text, us) => expect(parseTime(text)).toBe(us));

    it.each([[1, 1], [0.5, 0.5], ["1%", 1], ["0.5%", 0.5], ["1", undefined], ["%", undefined]])("loss %j is %s%%", (v, p) => expect(parseLoss(v)).toBe(p));
});

describe("argv", () => {
    it.each([
        ["a rate limit with latency", spec(tbf), "add",
            [["tc", "-n", "ns1", "qdisc", "add", "dev", "veth0", "root", "handle", "4d:", "tbf", "rate", "10000000bit", "burst", "32768", "latency", "50000us"]]],
        ["a rate limit with limit, changed in place", spec({ rate: "1.5mbit", burst: 16000, limit: "64kb" }), "change",
            [["tc", "-n", "ns1", "qdisc", "change", "dev", "veth0", "root", "handle", "4d:", "tbf", "rate", "1500000bit", "burst", "16000", "limit", "65536"]]],
        ["netem: delay, jitter, loss", spec({ delay: "20ms", jitter: "5ms", loss: "0.5%" }), "add",
            [["tc", "-n", "ns1", "qdisc", "add", "dev", "veth0", "root", "handle", "4d:", "netem", "delay", "20000us", "5000us", "loss", "0.5%"]]],
        ["netem with a tbf under it, replaced", spec({ ...tbf, delay: "20ms" }), "replace", [
            ["tc", "-n", "ns1", "qdisc", "replace", "dev", "veth0", "root", "handle", "4d:", "netem", "delay", "20000us"],
            ["tc", "-n", "ns1", "qdisc", "add", "dev", "veth0", "parent", "4d:1", "handle", "4e:", "tbf", "rate", "10000000bit", "burst", "32768", "latency", "50000us"]]],
    ] as const)("%s", (_what, a, verb, want) => {
        expect(argv.install(a, verb)).toEqual(want);
    });

    it("reads with -raw -j, deletes the root, reads the link with ip -j", () => {
        expect(argv.show(spec())).toEqual(["tc", "-n", "ns1", "-raw", "-j", "qdisc", "show", "dev", "veth0"]);
        expect(argv.del(spec())).toEqual(["tc", "-n", "ns1", "qdisc", "del", "dev", "veth0", "root"]);
        expect(argv.link(spec())).toEqual(["ip", "-n", "ns1", "-j", "link", "show", "dev", "veth0"]);
    });

    it("names the shape: tbf, netem, netem+tbf", () => {
        expect([shape(spec(tbf)), shape(spec({ loss: 1 })), shape(spec({ ...tbf, delay: "1ms" }))]).toEqual(["tbf", "netem", "netem+tbf"]);
    });
});

describe("isMutating counts tc writes, not tc reads", () => {
    it.each([
        [["tc", "-n", "ns1", "qdisc", "add", "dev", "v", "root", "tbf"], true],
        [["tc", "-n", "ns1", "qdisc", "change", "dev", "v", "root", "tbf"], true],
        [["tc", "-n", "ns1", "qdisc", "replace", "dev", "v", "root", "tbf"], true],
        [["tc", "-n", "ns1", "qdisc", "del", "dev", "v", "root"], true],
        [["sudo", "-n", "--", "tc", "-n", "ns1", "qdisc", "add", "dev", "v", "root"], true],
        [["tc", "-n", "ns1", "-raw", "-j", "qdisc", "show", "dev", "v"], false],
        [["tc", "-n", "show", "-j", "qdisc", "show", "dev", "add"], false],
        [["sudo", "-n", "--", "tc", "-j", "qdisc", "show"], false],
        [["tc", "-s", "qdisc", "ls", "dev", "v"], false],
        [["tc", "qdisc"], false],
    ])("%j -> %s", (a, want) => expect(isMutating(a)).toBe(want));

    it("reads the lines of tc -batch -", () => {
        expect(isMutating(["tc", "-n", "ns1", "-batch", "-"], "qdisc show dev v\n")).toBe(false);
        expect(isMutating(["tc", "-n", "ns1", "-batch", "-"], "qdisc show dev v\nqdisc del dev v root\n")).toBe(true);
    });
});

// As `tc -raw -j qdisc show` printed them on this machine (iproute2 6.1), and netem as q_netem.c prints it.
const DEFAULT: QdiscJson[] = [{ kind: "noqueue", handle: "0:", root: true, options: {} }];
const TBF_LAT: QdiscJson[] = [{ kind: "tbf", handle: "4d:", root: true, options: { rate: 1250000, burst: 32767, lat: 50000, limit: 95268 } }];
const TBF_LIMIT: QdiscJson[] = [{ kind: "tbf", handle: "4d:", root: true, options: { rate: 1250000, burst: 32767, limit: 100000, lat: 53786 } }];
const NETEM_TBF: QdiscJson[] = [
    { kind: "netem", handle: "4d:", root: true, options: { limit: 1000, delay: { delay: 0.02, jitter: 0.005 }, "loss-random": { loss: 1 } } },
    { kind: "tbf", handle: "4e:", parent: "4d:1", options: { rate: 1250000, burst: 32767, lat: 50000, limit: 95268 } },
];

describe("reading tc -j", () => {
    it("the kernel's default root, and a down device that lists none (noop)", () => {
        expect(parseQdiscs(DEFAULT)).toMatchObject({ root: { kind: "noqueue", handle: "0:" }, qdisc: "noqueue" });
        expect(parseQdiscs([])).toMatchObject({ root: { handle: "0:" } });
    });

    it("a root tbf, and netem with a tbf under it", () => {
        expect(parseQdiscs(TBF_LAT)).toEqual({ root: { kind: "tbf", handle: "4d:" }, qdisc: "tbf", tbf: { rateBytes: 1250000, burst: 32767, latencyUs: 50000, limit: 95268 } });
        expect(parseQdiscs(NETEM_TBF)).toMatchObject({ qdisc: "netem+tbf", netem: { delayUs: 20000, jitterUs: 5000, loss: 1 }, tbf: { rateBytes: 1250000 } });
    });

    it("inputs the kernel still holds are kept as written (32kb reads back as 32767: ticks)", () => {
        expect(asInputs(spec(tbf), parseQdiscs(TBF_LAT))).toEqual(spec(tbf));
        const lim = spec({ rate: "10mbit", burst: "32kb", limit: 100000 });
        expect(asInputs(lim, parseQdiscs(TBF_LIMIT))).toEqual(lim);
        const both = spec({ ...tbf, delay: "20ms", jitter: "5ms", loss: "1%" });
        expect(asInputs(both, parseQdiscs(NETEM_TBF))).toEqual(both);
    });

    it("drift shows as the live value under the input's name", () => {
        const live = parseQdiscs([{ kind: "tbf", handle: "4d:", root: true, options: { rate: 500000, burst: 16383, limit: 100000 } }]);
        expect(asInputs(spec({ rate: "10mbit", burst: "32kb", limit: 100000 }), live)).toMatchObject({ rate: "4000000bit", burst: 16383, limit: 100000 });
        // A latency whose queue no longer matches: the live latency.
        expect(asInputs(spec(tbf), parseQdiscs(TBF_LIMIT))).toMatchObject({ latency: "53786us" });
        // netem gone from under the inputs' netem+tbf: its inputs read as absent.
        expect(asInputs(spec({ ...tbf, delay: "20ms" }), parseQdiscs(TBF_LAT))).toMatchObject({ delay: undefined, rate: "10mbit" });
    });
});

describe("hints", () => {
    it("netem missing from the kernel: one line, pinned", () => {
        expect(hint(spec({ delay: "20ms" }), "Error: Specified qdisc kind is unknown.\n")).toBe(
            "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM is not set; there are no modules to load): delay, jitter and loss need a kernel that has it; a rate limit alone (rate, burst, latency or limit) works with tbf");
        expect(hint(spec({ delay: "20ms" }), "Error: Specified qdisc kind is unknown.").startsWith(NO_NETEM)).toBe(true);
        expect(hint(spec(tbf), "Error: Specified qdisc kind is unknown.")).toMatch(/no tbf qdisc/);
        expect(hint(spec(tbf), 'Cannot find device "veth0"')).toMatch(/there is no interface veth0 in ns1/);
    });
});

describe("diff: the link's place replaces, every shaping input updates in place", () => {
    it.each([
        [{ ...tbf, rate: "20mbit" }, "update"], [{ ...tbf, latency: undefined, limit: 1000 }, "update"], [{ ...tbf, delay: "1ms" }, "update"],
        [{ ...tbf, dev: "veth1" }, "replace"], [{ ...tbf, namespace: "ns2" }, "replace"],
    ])("%j -> %s", async (news, want) => {
        const olds = { ...spec(tbf), ifindex: 5, qdisc: "tbf", rateBytes: 1250000 };
        const d = await providers.LinkShaping.diff("ns1/veth0/root", olds, { ...spec(), ...news });
        expect(d.changes).toBe(true);
        expect((d.replaces ?? []).length > 0 ? "replace" : "update").toBe(want);
    });
});

const check = async (news: Record<string, unknown>) => (await providers.LinkShaping.check({}, { namespace: "ns1", dev: "veth0", ...news })).failures ?? [];

describe("check", () => {
    it.each([
        ["a rate limit with latency", tbf],
        ["a rate limit with limit", { rate: "1gbit", burst: "1mb", limit: 10_000_000 }],
        ["netem alone", { delay: "20ms", jitter: "5ms", loss: 0.5 }],
        ["both", { ...tbf, loss: "1%" }],
        ["the fastest rate with its least burst", { rate: "100gbit", burst: 12500, latency: "1ms" }],
    ])("accepts %s", async (_what, news) => expect(await check(news)).toEqual([]));

    it.each([
        ["a rate without a unit", { ...tbf, rate: "10" }, "rate", /is not a rate/],
        ["a rate in a unit tc does not have", { ...tbf, rate: "10Mbps/s" }, "rate", /is not a rate/],
        ["a rate of zero", { ...tbf, rate: "0bit" }, "rate", /outside 1kbit to 100gbit/],
        ["a rate over 100gbit", { ...tbf, rate: "1tbit" }, "rate", /outside 1kbit to 100gbit/],
        ["a rate that is no whole number of bytes", { ...tbf, rate: "1001bit" }, "rate", /not a whole number of bytes/],
        ["a negative burst", { ...tbf, burst: -1 }, "burst", /is -1 bytes: burst must be 1 to/],
        ["a burst with a fraction", { ...tbf, burst: "1.5kb" }, "burst", /is not a size/],
        ["a burst of zero", { ...tbf, burst: 0 }, "burst", /must be 1 to/],
        ["a burst over 4 GiB", { ...tbf, burst: "8gb" }, "burst", /must be 1 to/],
        ["a burst the kernel's ticks overflow", { rate: "1kbit", burst: "32kb", latency: "50ms" }, "burst", /more than 200 s overflows/],
        ["a burst that rounds to nothing", { rate: "100gbit", burst: 1500, latency: "50ms" }, "burst", /round to almost nothing; give at least 12500 bytes/],
        ["a latency without a unit", { ...tbf, latency: "50" }, "latency", /is not a time/],
        ["a latency over 60 s", { ...tbf, latency: "61s" }, "latency", /longer than 60s/],
        ["latency and limit both", { ...tbf, limit: 1000 }, "limit", /not both/],
        ["neither latency nor limit", { rate: "10mbit", burst: "32kb" }, "latency", /needs latency/],
        ["a rate without burst", { rate: "10mbit", latency: "50ms" }, "burst", /needs burst/],
        ["a burst without rate", { burst: "32kb", latency: "50ms" }, "rate", /give rate too/],
        ["a queue over 4 GiB", { rate: "100gbit", burst: "1mb", latency: "60s" }, "latency", /largest queue tbf holds/],
        ["jitter without delay", { jitter: "5ms" }, "jitter", /give delay too/],
        ["a loss of 0", { loss: 0 }, "loss", /outside \(0, 100\]/],
        ["a loss over 100%", { loss: "101%" }, "loss", /outside \(0, 100\]/],
        ["a loss as a word", { loss: "some" }, "loss", /is not a percentage/],
        ["a delay as a number", { delay: 20 }, "delay", /must be a time with a unit/],
        ["nothing to shape", {}, "rate", /nothing to shape/],
        ["an unknown input (peakrate)", { ...tbf, peakrate: "20mbit" }, "peakrate", /unknown input; LinkShaping takes/],
        ["a device that reads as an option", { ...tbf, dev: "-h" }, "dev", /may contain only/],
        ["a namespace that reads as a PID", { ...tbf, namespace: "1" }, "namespace", /reads as a number/],
    ])("refuses %s (property %s)", async (_what, news, property, reason) => {
        const failures = await check(news);
        expect(failures.length, JSON.stringify(failures)).toBeGreaterThan(0);
        const f = failures.find((x) => x.property === property);
        expect(f, JSON.stringify(failures)).toBeDefined();
        expect(f!.reason).toMatch(reason);
    });
});

// iproute2's `tc`: qdiscs on the links the provider manages.
import { afterOptions, type Tool } from "./tool";

/** tc's options that take an argument; its verbs that change nothing (show, list, ls, help). */
const WITH_ARG = new Set(["-n", "-netns", "-b", "-batch", "-nm", "-cf", "-conf", "-rcvbuf"]);
const READS = new Set(["show", "list", "ls", "lst", "help", "get"]);

export const tc: Tool = {
    name: "tc",
    // Any verb that is no read counts as changing: a verb tc adds later is counted, not missed.
    isMutating(words, input) {
        const { rest, options } = afterOptions(words, WITH_ARG);
        if (options.includes("-b") || options.includes("-batch")) {
            return (input ?? "").split("\n").some((line) => line.trim() !== "" && tc.isMutating(line.trim().split(/\s+/), undefined));
        }
        return rest[1] !== undefined && !READS.has(rest[1]);
    },
    outcomes: [
        ["gone", /Cannot find device|Cannot open network namespace|No such file or directory|Cannot delete qdisc with handle of zero/],
        ["exists", /File exists|Exclusivity flag on/],
        ["busy", /Device or resource busy/],
        ["refused", /Operation not permitted|Permission denied/],
        ["unsupported", /Unknown qdisc|Specified qdisc kind is unknown|Operation not supported/],
        ["invalid", /Invalid argument|Illegal|invalid/],
    ],
};

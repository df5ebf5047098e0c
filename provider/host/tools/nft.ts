// nftables' `nft`: `-j list ...` reads, `-f -` transactions write.
import { afterOptions, type Tool } from "./tool";

const WITH_ARG = new Set(["-f", "--file", "-I", "--includepath", "-D", "--define", "-o"]);
const READS = new Set(["list", "describe", "monitor"]);

export const nft: Tool = {
    name: "nft",
    isMutating(words, input) {
        const { rest, options } = afterOptions(words, WITH_ARG);
        if (options.includes("-c") || options.includes("--check")) return false;
        if (options.includes("-f") || options.includes("--file")) {
            // `-f -` runs its input; any line that is no read changes the rule set.
            return (input ?? "").split("\n").map((l) => l.trim()).some((l) => l !== "" && !l.startsWith("#") && !READS.has(l.split(/\s+/)[0]!));
        }
        return rest.length > 0 && !READS.has(rest[0]!);
    },
    outcomes: [
        ["gone", /No such file or directory|Cannot open network namespace/],
        ["exists", /File exists/],
        ["busy", /Device or resource busy/],
        ["refused", /Operation not permitted|Permission denied/],
        ["unsupported", /Operation not supported|Protocol not supported/],
        ["invalid", /syntax error|Invalid argument|Could not process rule/],
    ],
};

// iproute2's `ip`: the links, addresses, routes, rules and namespaces of every kind.
import { afterOptions, type Tool } from "./tool";

/** ip's options that take an argument (the argument is no object or verb). */
const WITH_ARG = new Set(["-n", "-netns", "-f", "-family", "-b", "-batch", "-rc", "-rcvbuf", "-l", "-loops"]);
const CHANGES = new Set(["add", "del", "delete", "set", "replace", "change", "flush", "append", "prepend", "attach"]);

export function ipTool(programMutates: (argv: readonly string[]) => boolean): Tool {
    const tool: Tool = {
        name: "ip",
        isMutating(words, input) {
            const { rest, options } = afterOptions(words, WITH_ARG);
            if (options.includes("-b") || options.includes("-batch")) {
                return (input ?? "").split("\n").some((line) => line.trim() !== "" && tool.isMutating(line.trim().split(/\s+/), undefined));
            }
            const [object, verb] = rest;
            if (object === "netns" && verb === "exec") return programMutates(rest.slice(3)); // the program run inside
            return verb !== undefined && CHANGES.has(verb);
        },
        outcomes: [
            // A namespace or a device that is not there; routes and rules say ESRCH/ENOENT, addresses EADDRNOTAVAIL.
            ["gone", /Cannot open network namespace|Cannot find device|does not exist|No such file or directory|No such process|Cannot assign requested address|[Aa]ddress not found/],
            // Older kernels say "address already assigned" for an address that is there.
            ["exists", /File exists|[Aa]ddress already assigned/],
            ["busy", /Device or resource busy/],
            ["refused", /Operation not permitted|Permission denied|Read-only file system/],
            ["unsupported", /Unknown device type|Operation not supported|Protocol not supported/],
            ["invalid", /Invalid argument|Invalid "netns" value|Invalid prefsrc|Invalid source address|is wrong/],
        ],
    };
    return tool;
}

// The tool adapters, one per program the provider runs (tool.ts says what an adapter is).
import { classifyWith, type Outcome, type Tool } from "./tool";
import { ipTool } from "./ip";
import { sysctl } from "./sysctl";
import { nft } from "./nft";
import { tc } from "./tc";

export type { Outcome, Tool } from "./tool";

/** The words of a command as the tool sees them: without a `sudo -n --` in front. */
function unwrapped(argv: readonly string[]): readonly string[] {
    return argv[0] === "sudo" && argv.includes("--") ? argv.slice(argv.indexOf("--") + 1) : argv;
}

/**
 * Whether a command changes the system: counted by the convergence tests (a no-change `up` must
 * run none). Read from each tool's grammar, so that a name like `add` is a name; a program
 * without an adapter counts as changing.
 */
export function isMutating(argv: readonly string[], input?: string): boolean {
    const words = unwrapped(argv);
    if (words.length === 0) return false;
    const tool = tools.get(words[0]!);
    return tool ? tool.isMutating(words.slice(1), input) : true;
}

const ip = ipTool((argv) => isMutating(argv));
const tools = new Map<string, Tool>([ip, sysctl, nft, tc].map((t) => [t.name, t]));

/** The tool that runs a command: the program inside `ip netns exec NS PROGRAM ...` for such a line. */
function toolOf(argv: readonly string[]): Tool | undefined {
    const words = unwrapped(argv);
    const at = words.indexOf("exec");
    if (words[0] === "ip" && at > 0 && words[at - 1] === "netns" && words[at + 2] !== undefined) return tools.get(words[at + 2]!) ?? ip;
    return tools.get(words[0]!);
}

/** What a failed command's stderr means for the tool that ran it (tools/*.ts), or undefined. */
export function classify(argv: readonly string[], stderr: string): Outcome | undefined {
    const tool = toolOf(argv);
    return tool ? classifyWith(tool, stderr) : undefined;
}

/** Whether a failed command's stderr means `outcome` for the tool that ran it (its pattern matches, whatever else the stderr says). */
export function says(argv: readonly string[], stderr: string, outcome: Outcome): boolean {
    const tool = toolOf(argv);
    return tool !== undefined && tool.outcomes.some(([o, re]) => o === outcome && re.test(stderr));
}

/** Whether stderr of an `ip` command means `outcome` (for hints, which see only the stderr). */
export const ipSays = (stderr: string, outcome: Outcome): boolean => says(["ip"], stderr, outcome);

/** Whether stderr of a `sysctl` (run inside a namespace or not) means `outcome`. */
export const sysctlSays = (stderr: string, outcome: Outcome): boolean => says(["sysctl"], stderr, outcome);

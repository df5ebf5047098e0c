// What a tool adapter is: how to tell whether a command line changes the system (counted by the
// convergence tests: a no-change `up` runs none), and what a failure's stderr means. The
// classifications read the tool's English messages: every host runs tools with LC_ALL=C.

/** What a failed command came to, in the words every kind uses. */
export type Outcome =
    /** The object, its device or its namespace is not there (for a delete: nothing left to do). */
    | "gone"
    /** An object of that name or key is already there. */
    | "exists"
    /** The object is in use and cannot be removed now. */
    | "busy"
    /** No permission (not root, a read-only file system, a security module). */
    | "refused"
    /** The kernel or the tool rejected an argument. */
    | "invalid"
    /** This kernel lacks the feature (a module that is not there). */
    | "unsupported";

export interface Tool {
    /** The program's name, as argv[0]. */
    readonly name: string;
    /** Whether a command line (the words after the program's name; `input` on stdin) changes the system. */
    isMutating(words: readonly string[], input: string | undefined): boolean;
    /** The patterns of its stderr that mean each outcome; the first that matches wins. */
    readonly outcomes: readonly (readonly [Outcome, RegExp])[];
}

/** The first outcome whose pattern matches stderr, or undefined (a failure of another kind). */
export function classifyWith(tool: Tool, stderr: string): Outcome | undefined {
    return tool.outcomes.find(([, re]) => re.test(stderr))?.[0];
}

/** The words after a tool's options, skipping options that take an argument. */
export function afterOptions(words: readonly string[], withArg: ReadonlySet<string>): { rest: readonly string[]; options: readonly string[] } {
    let i = 0;
    while (i < words.length && words[i]!.startsWith("-")) i += withArg.has(words[i]!) ? 2 : 1;
    return { rest: words.slice(i), options: words.slice(0, i) };
}

// procps's `sysctl`, run inside a namespace (`ip netns exec NS sysctl ...`).
import type { Tool } from "./tool";

export const sysctl: Tool = {
    name: "sysctl",
    isMutating: (words) => words.includes("-w"),
    outcomes: [
        // A key this kernel (or this namespace, for an interface key) does not have.
        ["gone", /cannot stat .*No such file or directory/],
        ["refused", /permission denied|Read-only file system/i],
        ["invalid", /Invalid argument/],
    ],
};

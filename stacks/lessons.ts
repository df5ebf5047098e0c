// Every lesson, in teaching order.
import type { Lesson } from "./lesson";
import { lesson as helloNamespace } from "./hello-namespace";

export const lessons: Record<string, Lesson> = Object.fromEntries([helloNamespace].map((l) => [l.name, l]));

/**
 * Lookups that binding planning and grant summaries make once per user,
 * group or subject, by key instead of by scanning every user or planned
 * binding, so that planning and summaries grow linearly with users
 * (issue 17: 4,000 users took 31 s when each lookup scanned the lists).
 */
import type { AccessSpec, UserSpec } from "../model/types";
import type { PlannedBinding, RbacSubject } from "./binding";

/** One key per distinct RBAC subject (kind, name and namespace). */
export function subjectKey(subject: RbacSubject): string {
    return `${subject.kind}\0${subject.namespace ?? ""}\0${subject.name}`;
}

/** Users by name and the members of each group, for one `spec.users` list. */
interface UserIndex {
    users: readonly UserSpec[];
    length: number;
    byName: Map<string, UserSpec>;
    membersOf: Map<string, UserSpec[]>;
}

const userIndexes = new WeakMap<readonly UserSpec[], UserIndex>();

function userIndex(spec: AccessSpec): UserIndex {
    const cached = userIndexes.get(spec.users);
    // A list that grew or shrank since (tests build specs by hand) is indexed again.
    if (cached && cached.length === spec.users.length) return cached;
    const byName = new Map<string, UserSpec>();
    const membersOf = new Map<string, UserSpec[]>();
    for (const user of spec.users) {
        if (!byName.has(user.name)) byName.set(user.name, user);
        for (const group of new Set(user.groups)) {
            const members = membersOf.get(group);
            if (members) members.push(user);
            else membersOf.set(group, [user]);
        }
    }
    const index = { users: spec.users, length: spec.users.length, byName, membersOf };
    userIndexes.set(spec.users, index);
    return index;
}

/** The first declared user of that name, as `spec.users.find` would return it. */
export function declaredUser(spec: AccessSpec, name: string): UserSpec | undefined {
    return userIndex(spec).byName.get(name);
}

/** The declared users in a group, in declaration order. */
export function groupMembers(spec: AccessSpec, group: string): readonly UserSpec[] {
    return userIndex(spec).membersOf.get(group) ?? [];
}

/** Planned bindings by subject, each with its position in the plan. */
const plannedIndexes = new WeakMap<readonly PlannedBinding[], { length: number; bySubject: Map<string, number[]> }>();

/** Positions in `planned` of the bindings to this subject, in plan order. */
export function plannedPositionsFor(planned: readonly PlannedBinding[], subject: RbacSubject): readonly number[] {
    let index = plannedIndexes.get(planned);
    if (!index || index.length !== planned.length) {
        const bySubject = new Map<string, number[]>();
        planned.forEach((p, i) => {
            const key = subjectKey(p.subject);
            const positions = bySubject.get(key);
            if (positions) positions.push(i);
            else bySubject.set(key, [i]);
        });
        index = { length: planned.length, bySubject };
        plannedIndexes.set(planned, index);
    }
    return index.bySubject.get(subjectKey(subject)) ?? [];
}

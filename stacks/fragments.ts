// IPv4 fragmentation worked by hand, as seed 003 does it ("Fragmentation & Reassemble (6)"): a
// datagram whose data does not fit an MTU is cut into pieces of the largest multiple of 8 bytes
// that fits beside a 20-byte header; each piece keeps its offset in the original data, and every
// piece but the original's last says "more fragments" (MF). Pure: the path-mtu lesson computes the
// counters its checks expect from this, and a unit test holds it to the seed's table.

/** One datagram or fragment: its data bytes (without the header), offset in the original, MF flag. */
export interface Fragment {
    length: number;
    offset: number;
    more: boolean;
}

/** The IPv4 header without options. */
export const HEADER = 20;

/** What a sender or router sends for `f` on a link of `mtu`: `f` itself when it fits, else its pieces. */
export function fragment(f: Fragment, mtu: number): Fragment[] {
    if (f.length + HEADER <= mtu) return [f];
    const size = Math.floor((mtu - HEADER) / 8) * 8;
    const out: Fragment[] = [];
    for (let done = 0; done < f.length; done += size) {
        const length = Math.min(size, f.length - done);
        out.push({ length, offset: f.offset + done, more: done + length < f.length || f.more });
    }
    return out;
}

/** The seed's notation: "H+480: MF=1, FO=0". */
export function describe(f: Fragment): string {
    return `H+${f.length}: MF=${f.more ? 1 : 0}, FO=${f.offset}`;
}

/**
 * One datagram of `data` bytes sent over links of the given MTUs, in order: what each hop sends,
 * and the counters the kernel keeps for it (`nstat`): IpFragCreates (pieces made) and IpFragOKs
 * (datagrams cut) where it is cut, IpReasmReqds (pieces received) and IpReasmOKs at the receiver.
 */
export function sendOver(data: number, mtus: readonly number[]): { hops: Fragment[][]; created: number[]; cut: number[]; reassembly: { reqds: number; oks: number } } {
    let current: Fragment[] = [{ length: data, offset: 0, more: false }];
    const hops: Fragment[][] = [];
    const created: number[] = [];
    const cut: number[] = [];
    for (const mtu of mtus) {
        const pieces = current.map((f) => fragment(f, mtu));
        created.push(pieces.filter((p) => p.length > 1).reduce((n, p) => n + p.length, 0));
        cut.push(pieces.filter((p) => p.length > 1).length);
        current = pieces.flat();
        hops.push(current);
    }
    const fragmented = current.length > 1 || current[0]!.more || current[0]!.offset > 0;
    return { hops, created, cut, reassembly: fragmented ? { reqds: current.length, oks: 1 } : { reqds: 0, oks: 0 } };
}

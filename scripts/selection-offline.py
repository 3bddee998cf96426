#!/usr/bin/env python3
"""Offline evaluation of final-selection rules from a `cosplay bench --trace` file of an archive run
(bonRule `archive`: the trace holds every archived code with its correctness, every archived UT with its fate,
the completed archive matrix, output classes on the UT inputs and on stage 3's inputs).

Every rule below reads only what the method saw (matrix, fates, output classes); `archiveCorrect` (the ground
truth, graded after the pick) is read only to score the ties. Ties are averaged, as in the bench.

Since the archive rule runs on stage 3's fresh inputs only the codes that can still be tied (src/cosplay/select.ts),
a trace holds fresh rows for those codes only; rules that read the fresh outputs of every archived code (mbr.fresh.*,
fused*, pairs.s3, b4full*, clusters.*) measure something else on such a trace (the codes without a row count as ERR).
The figures in docs/benchmark.md's table of rules come from traces of the build before it, which ran every code.

usage: scripts/selection-offline.py TRACE.jsonl [--rules a,b,c] [--json OUT]
"""
import json
import math
import sys
from collections import defaultdict


def load(paths):
    """Task lines of one or more traces (comma-separated); a task traced twice counts once (the last)."""
    byid = {}
    for path in paths.split(','):
        for line in open(path):
            x = json.loads(line)
            if x.get('type') == 'run' or not x.get('ok'):
                continue
            if 'archive' not in (x.get('details') or {}):
                continue
            byid[x['id']] = x
    return sorted(byid.values(), key=lambda t: t['index'])


def acc(tie, correct):
    return sum(correct[i] for i in tie) / len(tie) if tie else 0.0


def best(scores, cand):
    if not cand:
        return []
    top = max(scores[i] for i in cand)
    return [i for i in cand if scores[i] == top]


class T:
    """One task's archive, read from the trace."""

    def __init__(self, x):
        a = x['details']['archive']
        self.id = x['id']
        self.num = int(x['id'].split('/')[-1]) if x['id'].split('/')[-1].isdigit() else x['index']
        self.codes = a['codes']
        self.uts = a['uts']
        self.M = [[c for c in row] for row in a['matrix']]
        self.cls = a['outputClasses']
        self.correct = x['archiveCorrect']
        self.s3c = a['stage3Candidates']
        self.s3 = {a['stage3Candidates'][k]: a['stage3Classes'][k] for k in range(len(a['stage3Candidates']))}
        self.picks = {k: v['correct'] for k, v in x['picks'].items()}
        self.tokens = x['tokens']
        self.usage = x['details'].get('usageByPurpose', {})
        self.pool = a['poolIds']
        n = len(self.codes)
        trusted = [j for j, u in enumerate(self.uts) if u['valid'] and u['origin'] == 'trusted']
        self.elig = [i for i in range(n) if self.codes[i]['fate'] != 'rejected-repair'
                     and all(self.M[i][j] == '1' for j in trusted)]

    def cols(self, drop_coupled=True, only_final=False):
        out = []
        for j, u in enumerate(self.uts):
            if not u['valid']:
                continue
            if drop_coupled and u['fate'] == 'coupled':
                continue
            if only_final and u['fate'] != 'final':
                continue
            out.append(j)
        return out

    def passes(self, i, cols):
        return tuple(j for j in cols if self.M[i][j] == '1')


def codet(t, cand, cols, key_extra=None, size_of=None):
    """CodeT dual agreement: group by exact pass set (and key_extra), score |S| x |passed|."""
    groups = defaultdict(list)
    for i in cand:
        k = (t.passes(i, cols), key_extra(i) if key_extra else None)
        groups[k].append(i)
    scores = {}
    for k, mem in groups.items():
        s = len(mem) * (len(k[0]) if size_of is None else size_of(k, mem))
        for i in mem:
            scores[i] = s
    return best(scores, cand)


def cluster(t, tie, pcode):
    """The method's stage 3 (selectByCluster) on stage-3 classes; returns the tied set."""
    if len(tie) <= 1 or not t.s3c:
        return tie
    order = sorted(tie)
    out = {i: t.s3.get(i, []) for i in order}
    P = max((len(v) for v in out.values()), default=0)

    def agree_at(a, b, p):
        x, y = out[a][p] if p < len(out[a]) else -1, out[b][p] if p < len(out[b]) else -1
        return x != -1 and y != -1 and x == y

    def compatible(a, b):
        for p in range(P):
            x, y = out[a][p] if p < len(out[a]) else -1, out[b][p] if p < len(out[b]) else -1
            if x != -1 and y != -1 and x != y:
                return False
        return True

    def agreements(a, b):
        return sum(1 for p in range(P) if agree_at(a, b, p))

    groups = []
    for k in order:
        for g in groups:
            if all(compatible(x, k) for x in g):
                g.append(k)
                break
        else:
            groups.append([k])
    ma = defaultdict(int)
    cl = []
    for g in groups:
        tot = 0
        for x in range(len(g)):
            for y in range(x + 1, len(g)):
                s = agreements(g[x], g[y])
                tot += s
                ma[g[x]] += s
                ma[g[y]] += s
        cl.append((tot, sum(pcode[i] for i in g), g))
    errs = {i: sum(1 for v in out[i] if v == -1) for i in order}
    c0 = max(cl, key=lambda c: (c[0], c[1]))
    res = []
    for c in cl:
        if c[0] == c0[0] and c[1] == c0[1]:
            key = {i: (ma[i], -errs[i], pcode[i]) for i in c[2]}
            top = max(key.values())
            res += [i for i in c[2] if key[i] == top]
    return sorted(res)


def mbr_fresh(t, cand):
    """MBR-exec on stage 3's inputs over the candidates: the most codes with the same output vector."""
    voters = [i for i in cand if i in t.s3 and any(v != -1 for v in t.s3[i])]
    if not voters:
        return cand
    score = {i: sum(1 for k in voters if k != i and t.s3[k] == t.s3[i]) for i in voters}
    return best(score, voters)


def rules(t):
    cand = t.elig
    cols = t.cols(True)
    colsAll = t.cols(False)
    pcode = {i: len(t.passes(i, cols)) for i in range(len(t.codes))}
    pcodeAll = {i: len(t.passes(i, colsAll)) for i in range(len(t.codes))}
    r = {}
    r['archive.codet'] = codet(t, cand, colsAll)
    r['archive.codet-coupled'] = codet(t, cand, cols)
    r['archive.codet-coupled+cluster'] = cluster(t, r['archive.codet-coupled'], pcode)
    r['archive.codet+cluster'] = cluster(t, r['archive.codet'], pcode)
    s3 = lambda i: tuple(t.s3.get(i, []))
    # fused: consensus sets agree on the UTs AND on the fresh inputs; score |S| x (#UTs passed)
    r['fused'] = codet(t, cand, cols, key_extra=s3)
    r['fused+cluster'] = cluster(t, r['fused'], pcode)
    # fused, each fresh input a pseudo-test passed by the set's own (non-ERR) output
    r['fused.pseudo'] = codet(t, cand, cols, key_extra=s3,
                              size_of=lambda k, mem: len(k[0]) + sum(1 for v in k[1] if v != -1))
    r['mbr.fresh.archive'] = mbr_fresh(t, cand)
    r['archive.codet.finalUts'] = codet(t, cand, t.cols(True, True))
    r['archive.codet.finalUts+cluster'] = cluster(t, r['archive.codet.finalUts'], pcode)
    # MBR over the archive on the UT inputs (output classes, ERR == ERR), voters: codes finishing somewhere
    vec = {i: tuple(t.cls[i][j] for j in colsAll) for i in cand}
    voters = [i for i in cand if any(v != -1 for v in vec[i])] or cand
    sc = {i: sum(1 for k in voters if k != i and vec[k] == vec[i]) for i in voters}
    r['mbr.uts.archive'] = best(sc, voters)
    # full behaviour (UT inputs + fresh inputs) classes, scored by |S| x (#UTs passed)
    r['fused.full'] = codet(t, cand, colsAll, key_extra=lambda i: (vec[i], s3(i)))
    r['fused.full+cluster'] = cluster(t, r['fused.full'], pcodeAll)
    # output clusters over all candidates (stage 3 greedy, ERR wildcards), each scored |C| x #UTs passed by
    # every member; ties: the method's in-cluster choice
    cl = clusters_all(t, cand)
    def cscore(g):
        passed = [j for j in colsAll if all(t.M[i][j] == '1' for i in g)]
        return len(g) * len(passed)
    scores = {}
    for g in cl:
        for i in g:
            scores[i] = cscore(g)
    top = best(scores, cand)
    r['clusters.dual'] = top
    r['clusters.dual+cluster'] = cluster(t, top, pcode)
    # majority pass: UTs passed by more than half the members
    def cscore2(g):
        passed = [j for j in colsAll if 2 * sum(1 for i in g if t.M[i][j] == '1') > len(g)]
        return len(g) * len(passed)
    scores = {}
    for g in cl:
        for i in g:
            scores[i] = cscore2(g)
    r['clusters.dualmaj'] = cluster(t, best(scores, cand), pcode)
    # all agreeing sample pairs consistent with S: code-test pairs |S| x |T_S| plus code-code pairs C(|S|, 2)
    r['pairs.codet'] = codet(t, cand, colsAll, size_of=lambda k, mem: len(k[0]) + (len(mem) - 1) / 2)
    r['pairs.codet+cluster'] = cluster(t, r['pairs.codet'], pcode)
    r['pairs.full'] = codet(t, cand, colsAll, key_extra=lambda i: (vec[i], s3(i)),
                            size_of=lambda k, mem: len(k[0]) + (len(mem) - 1) / 2)
    r['pairs.s3'] = codet(t, cand, colsAll, key_extra=s3,
                          size_of=lambda k, mem: len(k[0]) + (len(mem) - 1) / 2)
    # HITS on the archive matrix (codes x UTs): the principal singular vector
    a_ = {i: 1.0 for i in cand}
    for _ in range(50):
        tv = {j: sum(a_[i] for i in cand if t.M[i][j] == '1') for j in colsAll}
        a2 = {i: sum(tv[j] for j in colsAll if t.M[i][j] == '1') for i in cand}
        z = max(a2.values()) if a2 and max(a2.values()) > 0 else 1
        a_ = {i: v / z for i, v in a2.items()}
    r['hits'] = best({i: round(v, 9) for i, v in a_.items()}, cand)
    r['hits+cluster'] = cluster(t, r['hits'], pcode)
    # B': CodeT groups (exact pass set over every valid archived UT) split by stage 3's greedy output
    # clustering on the fresh inputs (ERR a wildcard); each cluster scored by CodeT's |C| x |T_C|
    groups = defaultdict(list)
    for i in cand:
        groups[t.passes(i, colsAll)].append(i)
    sc = {}
    for k, mem in groups.items():
        for g in clusters_all(t, mem):
            for i in g:
                sc[i] = len(g) * len(k)
    r['split'] = best(sc, cand)
    r['split+cluster'] = cluster(t, r['split'], pcode)
    groups = defaultdict(list)
    for i in cand:
        groups[t.passes(i, cols)].append(i)
    sc = {}
    for k, mem in groups.items():
        for g in clusters_all(t, mem):
            for i in g:
                sc[i] = len(g) * len(k)
    r['split-coupled'] = best(sc, cand)
    # B4 (Chen et al., ASE 2024, arXiv 2409.08692): the MAP consensus set under Beta priors, parameters as
    # published (beta_0 in 1e4..1e6, alpha_xy = 1e3), over the groups of identical pass sets
    for b0 in (1e4, 1e5, 1e6):
        sc = b4_scores(t, cand, colsAll, b0, 1e3)
        r[f'b4.{b0:.0e}'] = best(sc, cand)
        r[f'b4.{b0:.0e}+cluster'] = cluster(t, r[f'b4.{b0:.0e}'], pcode)
        key = lambda i: (vec[i], s3(i))
        sc = b4_scores(t, cand, colsAll, b0, 1e3, key_extra=key)
        r[f'b4full.{b0:.0e}'] = best(sc, cand)
        r[f'b4full.{b0:.0e}+cluster'] = cluster(t, r[f'b4full.{b0:.0e}'], pcodeAll)
    return r


def betaln(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def b4_scores(t, cand, cols, beta0, alpha, key_extra=None):
    """B4's log posterior of each consensus set (codes with one pass set, optionally split by key_extra)."""
    groups = defaultdict(list)
    for i in cand:
        groups[(t.passes(i, cols), key_extra(i) if key_extra else None)].append(i)
    n, m = len(cand), len(cols)
    scores = {}
    for (passed, _), mem in groups.items():
        ps = set(passed)
        inm = set(mem)
        others = [i for i in cand if i not in inm]
        e1 = sum(1 for i in others for j in passed if t.M[i][j] == '1')
        n1 = len(others) * len(passed)
        e0 = sum(1 for i in others for j in cols if j not in ps and t.M[i][j] == '1')
        n0 = len(others) * (m - len(passed))
        lp = (betaln(len(passed) + alpha, m - len(passed) + 1) + betaln(len(mem) + alpha, n - len(mem) + 1)
              + betaln(e1 + 1, n1 - e1 + 1) + betaln(e0 + 1, n0 - e0 + beta0))
        for i in mem:
            scores[i] = round(lp, 9)
    return scores


def clusters_all(t, cand):
    order = sorted(cand)
    out = {i: t.s3.get(i, []) for i in order}
    P = max((len(v) for v in out.values()), default=0)

    def compatible(a, b):
        for p in range(P):
            x = out[a][p] if p < len(out[a]) else -1
            y = out[b][p] if p < len(out[b]) else -1
            if x != -1 and y != -1 and x != y:
                return False
        return True
    groups = []
    for k in order:
        for g in groups:
            if all(compatible(x, k) for x in g):
                g.append(k)
                break
        else:
            groups.append([k])
    return groups


def se_paired(d):
    n = len(d)
    if n < 2:
        return 0.0
    m = sum(d) / n
    return math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1) / n)


IN_RUN = ['cosplay', 'cosplayNoCluster', 'codetSameSamples', 'codet', 'mbr', 'passCount', 'first',
          'cosplay.passCountRule', 'cosplay.passCountRuleNoCluster', 'cosplay.dualFinalRule']


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    path = args[0]
    only = args[1].split(',') if len(args) > 1 else None
    markdown = '--markdown' in sys.argv
    tasks = [T(x) for x in load(path)]
    if '--check' in sys.argv:
        # the in-run pick (the archive rule, averaged over its tie) against this script's re-implementation
        bad = [t.id for t in tasks if abs(sum(t.picks['cosplay']) / max(1, len(t.picks['cosplay']))
                                          - acc(rules(t)['fused.full+cluster'], t.correct)) > 1e-9]
        print(f'in-run cosplay vs offline fused.full+cluster: {len(tasks) - len(bad)} of {len(tasks)} tasks agree',
              bad[:10])
    per = defaultdict(dict)
    for t in tasks:
        for k, v in t.picks.items():
            per[k][t.id] = sum(v) / len(v) if v else 0.0
        for k, tie in rules(t).items():
            per['offline:' + k][t.id] = acc(tie, t.correct)
    halves = {'all': lambda t: True, 'even': lambda t: t.num % 2 == 0, 'odd': lambda t: t.num % 2 == 1}
    ids = {h: [t.id for t in tasks if f(t)] for h, f in halves.items()}

    def cell(k, h, ref):
        v = [per[k].get(i, 0.0) for i in ids[h]]
        out = f'{100 * sum(v) / len(v):.1f}'
        if ref and ref in per and k != ref:
            d = [per[k].get(i, 0.0) - per[ref].get(i, 0.0) for i in ids[h]]
            out += f' ({100 * sum(d) / len(d):+.1f} ± {100 * se_paired(d):.1f})'
        return out

    print(f'{len(tasks)} tasks ({len(ids["even"])} even, {len(ids["odd"])} odd); '
          f'tokens/task {sum(t.tokens for t in tasks) / len(tasks):.0f}')
    keys = sorted(per, key=lambda k: -sum(per[k].values()))
    if only:
        keys = [k for k in keys if k in only or k.replace('offline:', '') in only]
    ref = 'codetSameSamples'
    if markdown:
        print(f'| selector | all ({len(ids["all"])}) | even ({len(ids["even"])}) | odd ({len(ids["odd"])}) |')
        print('|---|---|---|---|')
        for k in [k for k in IN_RUN if k in per] + [k for k in keys if k not in IN_RUN]:
            if only and k not in keys:
                continue
            print(f'| {k} | ' + ' | '.join(cell(k, h, ref) for h in halves) + ' |')
        print()
        print('| CoSPlay minus | all | even | odd |')
        print('|---|---|---|---|')
        for k in IN_RUN:
            if k in per and k != 'cosplay':
                row = []
                for h in halves:
                    d = [per['cosplay'].get(i, 0.0) - per[k].get(i, 0.0) for i in ids[h]]
                    row.append(f'{100 * sum(d) / len(d):+.1f} ± {100 * se_paired(d):.1f}')
                print(f'| {k} | ' + ' | '.join(row) + ' |')
        return
    print('selector'.ljust(42) + ''.join(f'{h:>22}' for h in halves))
    for k in keys:
        print(k.ljust(42) + ''.join(f'{cell(k, h, ref):>22}' for h in halves))


if __name__ == '__main__':
    main()


def diff(path, a, b):
    tasks = [T(x) for x in load(path)]
    for t in tasks:
        ra = rules(t)
        va = acc(ra[a], t.correct) if a in ra else (sum(t.picks[a]) / len(t.picks[a]) if t.picks[a] else 0)
        vb = acc(ra[b], t.correct) if b in ra else (sum(t.picks[b]) / len(t.picks[b]) if t.picks[b] else 0)
        if abs(va - vb) > 1e-9:
            print(t.id, f'{a} {va:.2f} {b} {vb:.2f}', 'codes', len(t.codes), 'correct', sum(t.correct),
                  'uts', len(t.cols(False)), 'coupled', len(t.cols(False)) - len(t.cols(True)))

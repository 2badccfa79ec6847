/**
 * What the bench's profilers (bench/e2e-profile.ts, bench/notify/profile.ts) share: the node of a
 * V8 CPU profile (`Profiler.stop`) and who calls a hot function, by caller chain.
 */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

/** Samples of a profile's frames (idle left out), by layer (`layerOf`) and by function; `each` sees every frame counted. */
export function selfTime(
  nodes: ProfileNode[],
  layerOf: (url: string, functionName: string) => string,
  each?: (node: ProfileNode) => void,
): { total: number; byLayer: Map<string, number>; byFunction: Map<string, number> } {
  const byLayer = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    if (node.callFrame.functionName === '(idle)') continue;
    total += node.hitCount;
    const layer = layerOf(node.callFrame.url, node.callFrame.functionName);
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + node.hitCount);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.hitCount);
    each?.(node);
  }
  return { total, byLayer, byFunction };
}

/**
 * For each function name in `hot`: the self time of its frames by caller chain (`depth` frames up),
 * printed as the six largest shares (`share` formats a hit count). Names with no frame print nothing.
 */
export function printCallers(nodes: ProfileNode[], hot: string[], share: (hits: number) => string, depth = 4): void {
  const parentOf = new Map<number, ProfileNode>();
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const frame = (n: ProfileNode) => `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber + 1}`;
  for (const name of hot) {
    const chains = new Map<string, number>();
    for (const node of nodes) {
      if (node.callFrame.functionName !== name) continue;
      const chain: string[] = [];
      for (let p = parentOf.get(node.id), i = 0; p && i < depth; p = parentOf.get(p.id), i++) chain.push(frame(p));
      chains.set(chain.join(' < '), (chains.get(chain.join(' < ')) ?? 0) + node.hitCount);
    }
    if (chains.size === 0) continue;
    console.log(`\n${name} called from:`);
    for (const [chain, n] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`  ${share(n).padStart(6)}  ${chain}`);
  }
}

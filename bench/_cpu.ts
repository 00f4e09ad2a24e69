// Trains the temperature model (real loop, synthetic batches) and prints samples per wall second and per CPU second.
const root = process.argv[2];
const steps = Number(process.argv[3] ?? 4);
const tf = await import('@tensorflow/tfjs-core');
const { selectBackend } = await import(`${root}/src/backend/select.ts`);
const { EXPERIMENTS } = await import(`${root}/experiments/index.ts`);
const { train } = await import(`${root}/src/train/loop.ts`);
const { SeededRandom } = await import(`${root}/src/train/random.ts`);
const { syntheticSplit } = await import(`${root}/src/train/synthetic.ts`);
await selectBackend('wasm');
const experiment = EXPERIMENTS.temperature;
const profile = experiment.profiles.full;
const model = experiment.buildModel(new SeededRandom(1), profile);
const optimizer = tf.train.adam();
const batchSize = 128;
const data = syntheticSplit(model, experiment.loss, batchSize * steps, 2);
const round = (split: { size: number; take: typeof data.take }) => train({ model, optimizer, train: split, validation: null, loss: experiment.loss, metric: experiment.metric.name, epochs: 1, batchSize, seed: 1 });
await round({ size: batchSize, take: data.take });
const results: string[] = [];
for (let r = 0; r < 3; r++) {
  const cpu0 = process.cpuUsage(); const t0 = performance.now();
  await round(data);
  const wall = (performance.now() - t0) / 1000; const c = process.cpuUsage(cpu0); const cpu = (c.user + c.system) / 1e6;
  results.push(`${(batchSize * steps / wall).toFixed(1)}/${(batchSize * steps / cpu).toFixed(1)}`);
}
console.log(`${root}: samples/s wall/cpu: ${results.join('  ')}`);

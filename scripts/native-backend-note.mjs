// npm postinstall: say whether the optional native backend (@tensorflow/tfjs-node) came with this install and,
// if not, that optbench will use wasm and how to get native TensorFlow. npm itself stays silent when an
// optional dependency fails to install. Never fails the install.
try {
  await import('@tensorflow/tfjs-node');
  console.log('optbench: native backend @tensorflow/tfjs-node loads; experiments run on native TensorFlow.');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes("'@tensorflow/tfjs-node'");
  console.log(missing
    ? 'optbench: the optional native backend @tensorflow/tfjs-node was not installed (npm skips an optional dependency whose install fails, e.g. without network access to storage.googleapis.com or on an unsupported platform); experiments will run on wasm.\n'
      + '  For native TensorFlow (multi-threaded): npm install @tensorflow/tfjs-node'
    : `optbench: @tensorflow/tfjs-node is installed but does not load (${String(error?.message).split('\n')[0]}); experiments will run on wasm.\n`
      + '  To repair it: npm rebuild @tensorflow/tfjs-node (on a Node version it supports).');
}

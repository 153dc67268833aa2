// The harness's clock for model events: unix seconds, as the model counts time.
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

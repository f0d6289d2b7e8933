/**
 * The loopback listeners tests start (`127.0.0.1:<ephemeral port>`): test gateways allow exactly these as hub
 * callbacks besides each partner's profile (BuildGatewayOptions.extraCallbackHosts), since the shipped demo
 * partners only allow the walkthrough's listener port and no other loopback port.
 */
const hosts = new Set<string>();

/** Allows `origin`'s exact host:port as a callback for every test gateway of this process, until `forget`. */
export function allowTestCallback(origin: string): void {
  hosts.add(new URL(origin).host);
}

export function forgetTestCallback(origin: string): void {
  hosts.delete(new URL(origin).host);
}

export function testCallbackHosts(): readonly string[] {
  return [...hosts];
}

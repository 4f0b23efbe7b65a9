/**
 * Closed field schemas for the custom kinds the generator renders, written
 * from each project's API documentation. The published CRD schemas (and the
 * models generated from them) accept unknown fields; these do not. They cover
 * the parts of each spec this repository uses; a field left out here is
 * refused until someone adds it on purpose.
 */
import { type FieldType, anything, arrayOf, boolean, duration, integer, mapOf, model, object, scalar, string } from "./unknown-fields.ts";

const strings = arrayOf(scalar);
const metadata = model("V1ObjectMeta");

/** Argo CD Application (argoproj.io/v1alpha1), per the Argo CD v3 Application specification. */
const applicationSource = object({
  repoURL: scalar,
  path: scalar,
  targetRevision: scalar,
  ref: scalar,
  name: scalar,
  chart: scalar,
  directory: object({ recurse: scalar, include: scalar, exclude: scalar }),
  // A Helm chart source (the Dapr control plane): values inline, typed by the chart, not by us.
  helm: object({ releaseName: scalar, valuesObject: anything, skipCrds: scalar }),
});

const application = object({
  apiVersion: scalar,
  kind: scalar,
  metadata,
  spec: object({
    project: scalar,
    source: applicationSource,
    destination: object({ server: scalar, name: scalar, namespace: scalar }),
    syncPolicy: object({
      automated: object({ enabled: scalar, prune: scalar, selfHeal: scalar, allowEmpty: scalar }),
      syncOptions: strings,
      retry: object({
        limit: scalar,
        refresh: scalar,
        backoff: object({ duration: scalar, factor: scalar, maxDuration: scalar }),
      }),
      managedNamespaceMetadata: object({ labels: mapOf(scalar), annotations: mapOf(scalar) }),
    }),
    ignoreDifferences: arrayOf(
      object({
        group: scalar,
        kind: scalar,
        name: scalar,
        namespace: scalar,
        jsonPointers: strings,
        jqPathExpressions: strings,
        managedFieldsManagers: strings,
      }),
    ),
    info: arrayOf(object({ name: scalar, value: scalar })),
    revisionHistoryLimit: scalar,
  }),
});

const groupKind = object({ group: scalar, kind: scalar });

/** Argo CD AppProject (argoproj.io/v1alpha1). */
const appProject = object({
  apiVersion: scalar,
  kind: scalar,
  metadata,
  spec: object({
    description: scalar,
    sourceRepos: strings,
    sourceNamespaces: strings,
    destinations: arrayOf(object({ server: scalar, name: scalar, namespace: scalar })),
    clusterResourceWhitelist: arrayOf(object({ group: scalar, kind: scalar, name: scalar })),
    clusterResourceBlacklist: arrayOf(object({ group: scalar, kind: scalar, name: scalar })),
    namespaceResourceWhitelist: arrayOf(groupKind),
    namespaceResourceBlacklist: arrayOf(groupKind),
    orphanedResources: object({ warn: scalar }),
    permitOnlyProjectScopedClusters: scalar,
  }),
});

/**
 * Dapr (dapr.io/v1alpha1), per Dapr 1.16's Component and Configuration
 * specs. No published model validates these, so the scalar types and the
 * required fields here are what validation/schema.ts checks.
 */
const daprMetadata = model("V1ObjectMeta");

const daprComponent = object(
  {
    apiVersion: string,
    kind: string,
    metadata: daprMetadata,
    spec: object(
      {
        type: string,
        version: string,
        ignoreErrors: boolean,
        initTimeout: duration,
        metadata: arrayOf(
          object(
            {
              name: string,
              // Dapr accepts any JSON here; ours are strings (credentials go through secretKeyRef).
              value: string,
              secretKeyRef: object({ name: string, key: string }, { required: ["name", "key"] }),
            },
            { required: ["name"] },
          ),
        ),
      },
      { required: ["type", "version", "metadata"] },
    ),
    auth: object({ secretStore: string }, { required: ["secretStore"] }),
    scopes: arrayOf(string, { minItems: 1 }),
  },
  { required: ["apiVersion", "kind", "metadata", "spec", "scopes"] },
);

const daprConfiguration = object(
  {
    apiVersion: string,
    kind: string,
    metadata: daprMetadata,
    spec: object(
      {
        // No mtls: an app namespace's Configuration cannot change mTLS (see generator/dapr/models.ts).
        tracing: object({ samplingRate: string, stdout: boolean }, { required: ["samplingRate"] }),
        metric: object({ enabled: boolean }, { required: ["enabled"] }),
      },
      { required: [] },
    ),
  },
  { required: ["apiVersion", "kind", "metadata", "spec"] },
);

/** SealedSecret (bitnami.com/v1alpha1), per the Sealed Secrets CRD: ciphertexts and the Secret's template. */
const sealedSecret = object({
  apiVersion: scalar,
  kind: scalar,
  metadata,
  spec: object({
    encryptedData: mapOf(scalar),
    template: object({ metadata, type: scalar, immutable: scalar, data: mapOf(scalar) }),
  }),
});

/**
 * cert-manager (cert-manager.io/v1), per the CRDs of the release the control
 * plane pins (clusters/minikube/cluster.ts, certManager.chart: v1.21.1): the
 * parts of Certificate, Issuer and ClusterIssuer this repository uses, with
 * the CRDs' required fields. validation/cert-manager.test.ts holds the CRDs'
 * field lists and checks that every field here is one of them.
 */
const certificate = object(
  {
    apiVersion: string,
    kind: string,
    metadata,
    spec: object(
      {
        secretName: string,
        secretTemplate: object({ labels: mapOf(string), annotations: mapOf(string) }),
        commonName: string,
        dnsNames: arrayOf(string),
        isCA: boolean,
        duration,
        renewBefore: duration,
        usages: arrayOf(string),
        subject: object({ organizations: arrayOf(string), organizationalUnits: arrayOf(string) }),
        privateKey: object({ algorithm: string, size: integer, encoding: string, rotationPolicy: string }),
        issuerRef: object({ group: string, kind: string, name: string }, { required: ["name"] }),
        revisionHistoryLimit: integer,
      },
      { required: ["secretName", "issuerRef"] },
    ),
  },
  { required: ["apiVersion", "kind", "metadata", "spec"] },
);

/** An Issuer's and a ClusterIssuer's spec: one CRD schema for both. */
const issuerSpec = object({
  selfSigned: object({}),
  ca: object({ secretName: string }, { required: ["secretName"] }),
  acme: object(
    {
      server: string,
      email: string,
      privateKeySecretRef: object({ name: string, key: string }, { required: ["name"] }),
      solvers: arrayOf(object({ http01: object({ ingress: object({ ingressClassName: string, serviceType: string }) }) })),
    },
    { required: ["server", "privateKeySecretRef"] },
  ),
});

const issuer = object({ apiVersion: string, kind: string, metadata, spec: issuerSpec }, { required: ["apiVersion", "kind", "metadata", "spec"] });

export const CUSTOM_KIND_FIELDS: Readonly<Record<string, FieldType>> = {
  "bitnami.com/v1alpha1/SealedSecret": sealedSecret,
  "argoproj.io/v1alpha1/Application": application,
  "argoproj.io/v1alpha1/AppProject": appProject,
  "dapr.io/v1alpha1/Component": daprComponent,
  "dapr.io/v1alpha1/Configuration": daprConfiguration,
  "cert-manager.io/v1/Certificate": certificate,
  "cert-manager.io/v1/Issuer": issuer,
  "cert-manager.io/v1/ClusterIssuer": issuer,
};

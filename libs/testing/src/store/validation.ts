import type { ResourceDescriptor } from '@rxinformer/core';
import { StatusErrors } from '../api/status.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates `metadata.name` the way the API server does (namespaces: DNS label; others: DNS subdomain). */
export function validateName(descriptor: ResourceDescriptor, name: string): void {
  const isNamespace = descriptor.group === '' && descriptor.plural === 'namespaces';
  const valid = isNamespace
    ? name.length <= 63 && LABEL.test(name)
    : name.length <= 253 && SUBDOMAIN.test(name);
  if (valid) return;
  const message = isNamespace
    ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
    : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  throw StatusErrors.invalid(descriptor.kind, descriptor.group, name, [
    { reason: 'FieldValueInvalid', message, field: 'metadata.name' },
  ]);
}

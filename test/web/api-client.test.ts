import { openApiDocument } from '../../api/openapi';
import { bodyFields, operations, queryFields } from '../../web/src/api/paths';

/** The web app's API client calls only what the API documents, with the body fields it documents. */
const document = openApiDocument() as unknown as {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
      }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

test.each(Object.entries(operations))('%s is an operation of /api/v1/openapi.json', (_name, op) => {
  expect(Object.keys(document.paths)).toContain(op.path);
  expect(Object.keys(document.paths[op.path] ?? {})).toContain(op.method);
});

test.each(Object.entries(bodyFields))('%s sends the documented body fields', (name, fields) => {
  const op = operations[name as keyof typeof operations];
  const ref = document.paths[op.path]?.[op.method]?.requestBody?.content['application/json']?.schema.$ref;
  const schema = document.components.schemas[(ref ?? '').replace('#/components/schemas/', '')];
  expect(schema?.properties).toBeDefined();
  const documented = Object.keys(schema?.properties ?? {});
  expect(documented).toEqual(expect.arrayContaining([...(fields ?? [])]));
  // Every field the API requires is one the client sends.
  expect([...(fields ?? [])]).toEqual(expect.arrayContaining(schema?.required ?? []));
});

test.each(Object.entries(queryFields))('%s sends only documented query parameters', (name, fields) => {
  const op = operations[name as keyof typeof operations];
  const documented = (document.paths[op.path]?.[op.method]?.parameters ?? [])
    .filter((p) => p.in === 'query')
    .map((p) => p.name);
  expect(documented).toEqual(expect.arrayContaining([...(fields ?? [])]));
});

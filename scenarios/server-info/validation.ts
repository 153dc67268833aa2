// seed admin.md §Server Info Validation, §ServerInfoUpdate Errors; rules.md VAL-SERVER-NAME,
// VAL-SERVER-DESCRIPTION, VAL-SERVER-IMAGE, ADM-SINFO-5..8. Every accepted probe is put back.
import { admin, check, section, oneOf } from '../../src/runner/api.ts';
import { expectValidatorPastFrameLimit } from '../_lib.ts';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** A data URI of exactly `bytes` bytes (ASCII only). */
function imageOf(bytes: number, mime = 'image/png'): string {
  const prefix = `data:${mime};base64,`;
  return prefix + 'A'.repeat(bytes - prefix.length);
}

export default section(
  { id: 'server-info/validation', title: 'ServerInfoUpdate: field validation', seed: 'admin.md §Server Info Validation' },
  [
    check({
      id: 'name-empty',
      title: 'An empty or whitespace-only server name fails with "Server name cannot be empty"',
      rules: ['ADM-SINFO-5', 'VAL-SERVER-NAME'],
      errors: ['E-SERVER-NAME-EMPTY'],
      seed: 'admin.md §ServerInfoUpdate Errors ("Server name cannot be empty")',
      actors: { boss: admin() },
      run: async ({ boss }) => {
        await boss.request('ServerInfoUpdate', { name: '' }).expectError('E-SERVER-NAME-EMPTY');
        await boss.request('ServerInfoUpdate', { name: '   ' }).expectError('E-SERVER-NAME-EMPTY');
      },
    }),

    check({
      id: 'name-length',
      title: 'A server name of 64 characters is accepted, 65 is "too long"',
      rules: ['ADM-SINFO-5', 'VAL-SERVER-NAME'],
      errors: ['E-SERVER-NAME-TOO-LONG'],
      seed: 'admin.md §Server Info Validation ("1-64 characters")',
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.name;
        await boss.request('ServerInfoUpdate', { name: 'N'.repeat(65) }).expectError('E-SERVER-NAME-TOO-LONG');
        await boss.request('ServerInfoUpdate', { name: 'N'.repeat(64) }).expectSuccess();
        await boss.request('ServerInfoUpdate', { name: original }).expectSuccess();
      },
    }),

    check({
      id: 'name-counts-characters',
      title: 'spec: the server name limit counts characters, so 64 two-byte characters are accepted',
      rules: ['VAL-SERVER-NAME', 'ADM-SINFO-5'],
      errors: ['E-SERVER-NAME-TOO-LONG'],
      seed: 'admin.md §Server Info Validation ("1-64 characters")',
      needs: { profile: 'spec' },
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.name;
        await boss.request('ServerInfoUpdate', { name: 'é'.repeat(64) }).expectSuccess();
        await boss.request('ServerInfoUpdate', { name: 'é'.repeat(65) }).expectError('E-SERVER-NAME-TOO-LONG');
        await boss.request('ServerInfoUpdate', { name: original }).expectSuccess();
      },
    }),

    check({
      id: 'name-counts-bytes',
      title: 'nexusd: the server name limit counts bytes, so 33 two-byte characters (66 bytes) are too long',
      rules: ['VAL-SERVER-NAME', 'ADM-SINFO-5'],
      errors: ['E-SERVER-NAME-TOO-LONG'],
      seed: 'admin.md §Server Info Validation',
      needs: { profile: 'nexusd' },
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.name;
        await boss.request('ServerInfoUpdate', { name: 'é'.repeat(33) }).expectError('E-SERVER-NAME-TOO-LONG');
        await boss.request('ServerInfoUpdate', { name: 'é'.repeat(32) }).expectSuccess();
        await boss.request('ServerInfoUpdate', { name: original }).expectSuccess();
      },
    }),

    check({
      id: 'name-control-characters',
      title: 'A server name with a newline fails with "cannot contain newlines", with another control character with "invalid characters"',
      rules: ['ADM-SINFO-5', 'VAL-SERVER-NAME'],
      errors: ['E-SERVER-NAME-CONTAINS-NEWLINES', 'E-SERVER-NAME-INVALID-CHARACTERS'],
      seed: 'admin.md §Server Info Validation ("no newlines, no control characters")',
      actors: { boss: admin() },
      run: async ({ boss }) => {
        await boss.request('ServerInfoUpdate', { name: 'My\nBBS' }).expectError('E-SERVER-NAME-CONTAINS-NEWLINES');
        await boss.request('ServerInfoUpdate', { name: 'My\rBBS' }).expectError('E-SERVER-NAME-CONTAINS-NEWLINES');
        await boss.request('ServerInfoUpdate', { name: 'My\tBBS' }).expectError('E-SERVER-NAME-INVALID-CHARACTERS');
        await boss.request('ServerInfoUpdate', { name: 'My\u0000BBS' }).expectError('E-SERVER-NAME-INVALID-CHARACTERS');
        await boss.request('ServerInfoUpdate', { name: 'My\u007fBBS' }).expectError('E-SERVER-NAME-INVALID-CHARACTERS');
        await boss.request('ServerInfoUpdate', { name: 'My\u0085BBS' }).expectError('E-SERVER-NAME-INVALID-CHARACTERS');
      },
    }),

    check({
      id: 'description',
      title: 'A description may be empty; newlines and control characters are refused; 513 characters are too long',
      rules: ['ADM-SINFO-6', 'VAL-SERVER-DESCRIPTION', 'SES-SI-2'],
      errors: ['E-SERVER-DESCRIPTION-TOO-LONG', 'E-SERVER-DESCRIPTION-CONTAINS-NEWLINES', 'E-SERVER-DESCRIPTION-INVALID-CHARACTERS'],
      seed: 'admin.md §Server Info Validation ("0-512 characters, no newlines, no control characters")',
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.description;
        await boss.request('ServerInfoUpdate', { description: 'Line\nbreak' }).expectError('E-SERVER-DESCRIPTION-CONTAINS-NEWLINES');
        await boss.request('ServerInfoUpdate', { description: 'Line\r\nbreak' }).expectError('E-SERVER-DESCRIPTION-CONTAINS-NEWLINES');
        await boss.request('ServerInfoUpdate', { description: 'Bell\u0007' }).expectError('E-SERVER-DESCRIPTION-INVALID-CHARACTERS');
        await boss.request('ServerInfoUpdate', { description: 'd'.repeat(513) }).expectError('E-SERVER-DESCRIPTION-TOO-LONG');
        await boss.request('ServerInfoUpdate', { description: 'd'.repeat(256) }).expectSuccess();
        await boss.request('ServerInfoUpdate', { description: '' }).expectSuccess();
        await boss.request('ServerInfoUpdate', { description: original }).expectSuccess();
      },
    }),

    check({
      id: 'description-length-unit',
      title: 'Description limit per profile: spec accepts 512 characters, nexusd refuses more than 256 bytes',
      rules: ['VAL-SERVER-DESCRIPTION', 'ADM-SINFO-6'],
      errors: ['E-SERVER-DESCRIPTION-TOO-LONG'],
      seed: 'admin.md §Server Info Validation ("0-512 characters")',
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.description;
        if (t.profile === 'spec') {
          await boss.request('ServerInfoUpdate', { description: 'd'.repeat(512) }).expectSuccess();
          await boss.request('ServerInfoUpdate', { description: 'é'.repeat(512) }).expectSuccess();
          await boss.request('ServerInfoUpdate', { description: 'é'.repeat(513) }).expectError('E-SERVER-DESCRIPTION-TOO-LONG');
        } else {
          await boss.request('ServerInfoUpdate', { description: 'd'.repeat(257) }).expectError('E-SERVER-DESCRIPTION-TOO-LONG');
          await boss.request('ServerInfoUpdate', { description: 'é'.repeat(129) }).expectError('E-SERVER-DESCRIPTION-TOO-LONG');
          await boss.request('ServerInfoUpdate', { description: 'é'.repeat(128) }).expectSuccess();
        }
        await boss.request('ServerInfoUpdate', { description: original }).expectSuccess();
      },
    }),

    check({
      id: 'image-types',
      title: 'PNG, WebP, JPEG and SVG data URIs are accepted as the server image; "" clears it',
      rules: ['ADM-SINFO-7', 'VAL-SERVER-IMAGE', 'SES-SI-7'],
      seed: 'admin.md §Server Info Validation ("PNG/WebP/JPEG/SVG formats"), §ServerInfoUpdate ("Clear server image")',
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.image;
        await boss.request('ServerInfoUpdate', { image: PNG }).expectSuccess();
        await boss.request('ServerInfoUpdate', { image: 'data:image/webp;base64,UklGRg==' }).expectSuccess();
        await boss.request('ServerInfoUpdate', { image: 'data:image/jpeg;base64,/9j/4AAQ' }).expectSuccess();
        await boss.request('ServerInfoUpdate', { image: 'data:image/svg+xml;base64,PHN2Zy8+' }).expectSuccess();
        await boss.request('ServerInfoUpdate', { image: '' }).expectSuccess();
        if (original !== '') await boss.request('ServerInfoUpdate', { image: original }).expectSuccess();
      },
    }),

    check({
      id: 'image-format',
      title: 'A server image that is not a base64 data URI is an invalid format; another MIME type is unsupported',
      rules: ['ADM-SINFO-7', 'VAL-SERVER-IMAGE'],
      errors: ['E-SERVER-IMAGE-INVALID-FORMAT', 'E-SERVER-IMAGE-UNSUPPORTED-TYPE'],
      seed: 'admin.md §ServerInfoUpdate Errors ("Invalid image format")',
      actors: { boss: admin() },
      run: async ({ boss }) => {
        await boss.request('ServerInfoUpdate', { image: 'iVBORw0KGgo=' }).expectError('E-SERVER-IMAGE-INVALID-FORMAT');
        await boss.request('ServerInfoUpdate', { image: 'data:image/png,iVBORw0KGgo=' }).expectError('E-SERVER-IMAGE-INVALID-FORMAT');
        await boss.request('ServerInfoUpdate', { image: 'data:image/gif;base64,R0lGODlh' }).expectError('E-SERVER-IMAGE-UNSUPPORTED-TYPE');
        await boss.request('ServerInfoUpdate', { image: 'data:text/plain;base64,aGk=' }).expectError('E-SERVER-IMAGE-UNSUPPORTED-TYPE');
        // The MIME type is compared case-sensitively.
        await boss
          .request('ServerInfoUpdate', { image: 'data:IMAGE/PNG;base64,iVBORw0KGgo=' })
          .expectError('E-SERVER-IMAGE-UNSUPPORTED-TYPE');
      },
    }),

    check({
      id: 'image-size',
      title: 'A server image of 700 000 bytes is accepted; one of 716 801 bytes is "too large"',
      rules: ['ADM-SINFO-7', 'VAL-SERVER-IMAGE', 'WIRE-LIM-4'],
      errors: ['E-SERVER-IMAGE-TOO-LARGE'],
      seed: 'admin.md §Server Info Validation ("Max 700KB data URI")',
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        const original = t.model().serverInfo.image;
        await boss.request('ServerInfoUpdate', { image: imageOf(700_000) }).expectSuccess();
        await boss.request('ServerInfoUpdate', { image: original }).expectSuccess();
        // Last: in nexusd the frame limit may answer first with a framing error and a close (WIRE-LIM-4).
        await expectValidatorPastFrameLimit(
          boss,
          boss.request('ServerInfoUpdate', { image: imageOf(716_801) }),
          'E-SERVER-IMAGE-TOO-LARGE',
        );
      },
    }),

    check({
      id: 'image-size-undetermined',
      title: 'A server image of 700 001 or 716 800 bytes ("700KB": 700 000 bytes or 700 KiB) is accepted or "too large" (undetermined)',
      rules: ['ADM-SINFO-7', 'VAL-SERVER-IMAGE', 'WIRE-LIM-4', 'UND-11'],
      errors: ['E-SERVER-IMAGE-TOO-LARGE'],
      seed: 'admin.md §Server Info Validation ("Max 700KB data URI")',
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        // The runner predicts both limits (and, in nexusd, the era frame limit refusing the larger
        // frame first, UND-11) and follows the one the target shows; the cleanup restores the image.
        for (const bytes of [700_001, 716_800]) {
          const reply = await boss.request('ServerInfoUpdate', { image: imageOf(bytes) });
          if (reply === null) {
            await boss.expectClosed();
            return;
          }
          const answer = oneOf([{ body: { success: true } }, { type: 'Error' }, { body: { success: false } }]);
          t.expectEqual(reply, answer, 'VAL-SERVER-IMAGE', `the answer to a ${bytes}-byte image`);
        }
        await boss.expectConnected();
      },
    }),

    check({
      id: 'validation-order',
      title: 'ServerInfoUpdate validates name, then description, then image, then the limits',
      rules: ['GEN-3', 'ADM-SINFO-5', 'ADM-SINFO-6', 'ADM-SINFO-7', 'ADM-SINFO-8'],
      errors: ['E-SERVER-NAME-EMPTY', 'E-SERVER-DESCRIPTION-CONTAINS-NEWLINES', 'E-SERVER-IMAGE-INVALID-FORMAT'],
      seed: 'admin.md §Server Info Validation',
      actors: { boss: admin() },
      run: async ({ boss }) => {
        await boss.request('ServerInfoUpdate', { image: 'not-an-image', description: 'a\nb', name: '' }).expectError('E-SERVER-NAME-EMPTY');
        await boss
          .request('ServerInfoUpdate', { image: 'not-an-image', description: 'a\nb' })
          .expectError('E-SERVER-DESCRIPTION-CONTAINS-NEWLINES');
        await boss
          .request('ServerInfoUpdate', { max_connections_per_ip: 0, image: 'not-an-image' })
          .expectError('E-SERVER-IMAGE-INVALID-FORMAT');
      },
    }),
  ],
);

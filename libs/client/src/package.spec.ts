import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

/** The package is published alone: Node's built-ins and its own files are all it may import. */
describe('@config-center/client as a package', () => {
  const root = join(__dirname, '..');

  it('has no runtime dependency and points main and types at the build', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@config-center/client');
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.main).toBe('dist/index.js');
    expect(pkg.types).toBe('dist/index.d.ts');
  });

  it('imports only relative files and Node built-ins', () => {
    const sources = readdirSync(__dirname).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8');
      for (const [, specifier] of text.matchAll(/\bfrom '([^']+)'/g)) {
        const allowed =
          specifier.startsWith('./') ||
          (specifier.startsWith('node:') && builtinModules.includes(specifier.slice(5)));
        expect({ file, specifier, allowed }).toEqual({ file, specifier, allowed: true });
      }
    }
  });
});

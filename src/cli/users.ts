import { InvalidArgumentError, type Command } from 'commander';
import { addConfigFlags, configOrExit } from './config-flags.js';
import { Email, Password, Tenant } from '../http/schemas.js';
import { DEFAULT_TENANT } from '../auth/normalize.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The same rules the HTTP API applies to signup, so the CLI cannot create an account the API would refuse. */
const matching =
  (pattern: string, what: string) =>
  (value: string): string => {
    if (!new RegExp(pattern).test(value)) throw new InvalidArgumentError(`must be ${what}.`);
    return value;
  };

export function registerUsers(program: Command): void {
  const users = program.command('users').description('Manage user accounts.');
  addConfigFlags(
    users
      .command('create')
      .description('Create a user (roles default to "user").')
      .requiredOption(
        '--email <email>',
        'email address (trimmed, NFKC-normalised, case-folded)',
        matching(Email.pattern!, 'an email address such as ada@example.com'),
      )
      .requiredOption('--password <password>', 'password, 8 to 256 characters')
      .option('--name <name>', 'display name')
      .option(
        '--tenant <tenant>',
        'tenant',
        matching(Tenant.pattern!, '1 to 64 letters, digits, "_" or "-"'),
        DEFAULT_TENANT,
      )
      .option('--role <role>', 'role to grant (repeatable)', collect, []),
    ['dataDir', 'databaseUrl', 'databasePoolMax', 'redisUrl', 'redisClusterNodes', 'logLevel'],
  ).action(
    async (
      options: { email: string; password: string; name?: string; tenant: string; role: string[] } & Record<
        string,
        unknown
      >,
    ) => {
      // Checked here rather than by commander, whose message would echo the password.
      if (options.password.length < Password.minLength! || options.password.length > Password.maxLength!) {
        console.error(`tessera: --password must be ${Password.minLength} to ${Password.maxLength} characters`);
        process.exit(2);
      }
      const config = configOrExit({ ...options, logLevel: options.logLevel ?? 'warn' });
      const [{ createRuntime }, { TesseraError }] = await Promise.all([
        import('../runtime.js'),
        import('../errors/index.js'),
      ]);
      const runtime = await createRuntime(config);
      try {
        const roles = options.role.length > 0 ? [...new Set(['user', ...options.role])] : ['user'];
        const user = await runtime.users.signup(
          { email: options.email, password: options.password, name: options.name, tenant: options.tenant, roles },
          { ip: '127.0.0.1', userAgent: 'tessera-cli' },
        );
        console.log(JSON.stringify({ user }));
      } catch (error) {
        if (error instanceof TesseraError && error.code === 'email_taken') {
          console.error(`tessera: ${error.message}`);
          process.exitCode = 1;
        } else throw error;
      } finally {
        await runtime.close();
      }
    },
  );
}

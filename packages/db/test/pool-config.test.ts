import { describe, expect, it } from 'vitest';
import { poolConfigFromUrl } from '../src/pool-config.ts';

describe('poolConfigFromUrl', () => {
  it('splits a URL into fields, decoding escaped credentials', () => {
    expect(poolConfigFromUrl('postgresql://dry%40dock:p%2Fss%3Aw@db.example:6543/drydock')).toEqual(
      {
        host: 'db.example',
        port: 6543,
        user: 'dry@dock',
        password: 'p/ss:w',
        database: 'drydock',
      },
    );
  });

  it('defaults the port and maps sslmode', () => {
    const config = poolConfigFromUrl('postgres://u:p@h/d?sslmode=require');
    expect(config.port).toBe(5432);
    expect(config.ssl).toEqual({ rejectUnauthorized: false });
    expect(poolConfigFromUrl('postgres://u:p@h/d?sslmode=verify-full').ssl).toEqual({
      rejectUnauthorized: true,
    });
  });

  it('rejects other schemes', () => {
    expect(() => poolConfigFromUrl('mysql://u:p@h/d')).toThrow(/postgresql:\/\//);
  });
});

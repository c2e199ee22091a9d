import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

export type ComponentStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface ComponentHealth {
  status: ComponentStatus;
  latency_ms?: number;
  [detail: string]: unknown;
}

export interface HealthComponent {
  name: string;
  /** A critical component that is unhealthy makes the node unhealthy; others make it degraded. */
  critical: boolean;
  check(): Promise<ComponentHealth>;
}

/**
 * DESIGN 16: modules register their component; health, liveness and readiness read the registry.
 * Readiness turns true once, when the node has caught up after start (readiness.ts), and false
 * only when the node begins to stop: never back and forth during an election.
 */
@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly components = new Map<string, HealthComponent>();
  private readonly startedAt = Date.now();
  private ready = false;
  private stopping = false;

  register(component: HealthComponent): void {
    this.components.set(component.name, component);
  }

  /** Once caught up; ignored once the node is stopping. */
  markReady(): void {
    if (!this.stopping) this.ready = true;
  }

  get isReady(): boolean {
    return this.ready;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Before the HTTP server closes: load balancers stop sending while requests drain. */
  beforeApplicationShutdown(): void {
    this.beginStopping();
  }

  beginStopping(): void {
    this.stopping = true;
    this.ready = false;
  }

  async report() {
    const entries = await Promise.all(
      [...this.components.values()].map(async (component) => {
        try {
          return [component, await component.check()] as const;
        } catch (error) {
          return [
            component,
            { status: 'unhealthy' as const, error: (error as Error).message },
          ] as const;
        }
      }),
    );
    const components: Record<string, ComponentHealth> = {};
    let status: ComponentStatus = 'healthy';
    let degraded = false;
    for (const [component, health] of entries) {
      components[component.name] = health;
      if (health.status === 'healthy') continue;
      degraded = true;
      if (component.critical && health.status === 'unhealthy') status = 'unhealthy';
      else if (status === 'healthy') status = 'degraded';
    }
    return {
      status,
      components,
      degraded,
      ready: this.ready,
      uptime_seconds: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }
}

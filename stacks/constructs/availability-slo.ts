/**
 * The environment's availability SLO: a time-slice SLO over the tunnel metric (why not over the
 * monitor: docs/stacks.md), plus one status correction per maintenance window that a
 * correction can express, so maintenance does not eat the error budget.
 */
import { ServiceLevelObjective } from "@cdktf/provider-datadog/lib/service-level-objective";
import { SloCorrection } from "@cdktf/provider-datadog/lib/slo-correction";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import type { MaintenanceWindow, SloDefinition } from "../../contract/definition/operations-schema";
import { availabilityQuery, environmentTag } from "../datadog/operations";
import { sloCorrectionPlan } from "../../contract/definition/slo-corrections";

/** One-minute slices: the checker reports once a minute. */
export const SLO_SLICE_SECONDS = 60;

export interface AvailabilitySloProps {
  /** Value of the `vpn_environment` tag. */
  readonly environment: string;
  /** Validated `slo:` of the definition. */
  readonly slo: SloDefinition;
  /** Windows to correct the SLO for. @default [] */
  readonly maintenance?: readonly MaintenanceWindow[];
}

export class AvailabilitySlo extends Construct {
  readonly slo: ServiceLevelObjective;
  /** One per window a correction can express, in definition order. */
  readonly corrections: readonly SloCorrection[];

  constructor(scope: Construct, id: string, props: AvailabilitySloProps) {
    super(scope, id);
    const { slo, environment } = props;
    const warning = slo.warning === undefined ? {} : { warning: slo.warning };
    this.slo = new ServiceLevelObjective(this, "slo", {
      name: `VPN availability: ${environment}`,
      description: `Share of minutes in which every enabled tunnel of VPN environment ${environment} was connected.`,
      type: "time_slice",
      sliSpecification: {
        timeSlice: {
          comparator: ">=",
          threshold: 1,
          queryIntervalSeconds: SLO_SLICE_SECONDS,
          query: {
            formula: { formulaExpression: "status" },
            query: [{ metricQuery: { name: "status", query: availabilityQuery(environment) } }],
          },
        },
      },
      thresholds: [{ timeframe: slo.timeframe, target: slo.target, ...warning }],
      timeframe: slo.timeframe,
      targetThreshold: slo.target,
      ...(slo.warning === undefined ? {} : { warningThreshold: slo.warning }),
      tags: [environmentTag(environment), "managed-by:cdktf"],
    });

    const corrections: SloCorrection[] = [];
    (props.maintenance ?? []).forEach((window, i) => {
      const plan = sloCorrectionPlan(window);
      if (!plan.ok) {
        Annotations.of(this).addWarning(`maintenance[${i}] "${window.name}" counts against the SLO: ${plan.reason}`);
        return;
      }
      corrections.push(
        new SloCorrection(this, `maintenance-${i}`, {
          sloId: this.slo.id,
          category: "Scheduled Maintenance",
          description: `Maintenance window "${window.name}"`,
          start: plan.start,
          duration: plan.durationSeconds,
          rrule: plan.rrule,
          timezone: plan.timezone,
        }),
      );
    });
    this.corrections = corrections;
  }
}

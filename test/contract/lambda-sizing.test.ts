import { defaultLambdaMemoryMb, LAMBDA_MB_PER_VCPU, projectedDurationMs } from "../../contract/lambda-sizing";

describe("defaultLambdaMemoryMb", () => {
  it.each([
    [0, 256],
    [1, 256],
    [4, 256],
    [5, 512],
    [11, 512],
    [12, 1024],
    [24, 1024],
    [25, 1769],
    [200, 1769],
  ])("gives %i controllers %i MB", (controllers, memoryMb) => {
    expect(defaultLambdaMemoryMb(controllers)).toBe(memoryMb);
  });

  it("rejects a count that is not a non-negative integer", () => {
    expect(() => defaultLambdaMemoryMb(-1)).toThrow("controllerCount must be a non-negative integer, got -1");
    expect(() => defaultLambdaMemoryMb(2.5)).toThrow("controllerCount must be a non-negative integer, got 2.5");
  });
});

describe("projectedDurationMs", () => {
  it("stretches only the CPU part, by 1,769 MB / memory, and never below one vCPU", () => {
    expect(projectedDurationMs({ cpuMs: 10, waitMs: 40 }, 256)).toBeCloseTo(40 + 10 * (1769 / 256), 6);
    expect(projectedDurationMs({ cpuMs: 10, waitMs: 40 }, LAMBDA_MB_PER_VCPU)).toBe(50);
    expect(projectedDurationMs({ cpuMs: 10, waitMs: 40 }, 4096)).toBe(50);
  });
});

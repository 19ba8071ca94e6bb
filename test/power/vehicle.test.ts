import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Battery } from '../../emulator/power/battery.ts';
import { InputError } from '../../drivers/core/errors.ts';
import { cellOcvV, cellSocForOcv } from '../../drivers/vehicle/ocv.ts';
import { ccCurrentA, loadVehicleProfile, packCapacityAh, VehicleProfileError } from '../../drivers/vehicle/profile.ts';
import { VehicleRequestPolicy } from '../../drivers/vehicle/request-policy.ts';

describe('vehicle profiles, battery model and request policy', function () {
  it('loads the two truck packs with the classes the issue asks for', function () {
    const lfp = loadVehicleProfile('truck-lfp-620kwh');
    const nmc = loadVehicleProfile('truck-nmc-850kwh');
    expect(lfp.chemistry).to.equal('LFP');
    expect((lfp.cellsSeries * 3.2 * packCapacityAh(lfp)) / 1000).to.be.closeTo(620, 10);
    expect(lfp.maxVoltageV).to.be.within(800, 950);
    expect(nmc.chemistry).to.equal('NMC');
    expect((nmc.cellsSeries * 3.65 * packCapacityAh(nmc)) / 1000).to.be.closeTo(850, 10);
    expect(nmc.maxVoltageV).to.be.within(1000, 1100);
    expect(ccCurrentA(lfp)).to.equal(Math.min(lfp.maxCurrentA, lfp.maxCRate * packCapacityAh(lfp)));
    expect(loadVehicleProfile('truck-lfp-620kwh', { initialSoc: 0.5 }).initialSoc).to.equal(0.5);
  });

  it('refuses a bad profile with a typed error naming the file and the key', function () {
    const dir = mkdtempSync(join(tmpdir(), 'veh-'));
    writeFileSync(join(dir, 'bad.yaml'), 'chemistry: LFP\ncellsSeries: many\n');
    const e = (() => {
      try {
        loadVehicleProfile('bad', {}, dir);
      } catch (x) {
        return x as Error;
      }
    })();
    expect(e).to.be.instanceOf(VehicleProfileError).and.instanceOf(InputError);
    expect(e!.message).to.include('bad.yaml').and.include("'cellsSeries' must be a number");
    expect(() => loadVehicleProfile('missing', {}, dir)).to.throw(VehicleProfileError, /no vehicle profile 'missing'/);
  });

  it('OCV tables interpolate and invert; the LFP pack sits near 821 V at 20 % SOC', function () {
    expect(cellOcvV('NMC', 1)).to.equal(4.193);
    expect(cellOcvV('LFP', 0)).to.equal(2.01);
    for (const soc of [0.05, 0.3, 0.7, 0.95]) expect(cellSocForOcv('NMC', cellOcvV('NMC', soc))).to.be.closeTo(soc, 1e-9);
    const b = Battery.fromProfile(loadVehicleProfile('truck-lfp-620kwh'));
    expect(b.ocvV()).to.be.closeTo(252 * cellOcvV('LFP', 0.2), 1e-9);
    expect(b.ocvV()).to.be.within(815, 830);
  });

  it('the Thevenin battery: IR step at once, RC rise with τ1, SOC by coulomb count', function () {
    const p = loadVehicleProfile('truck-lfp-620kwh');
    const b = Battery.fromProfile(p);
    const ocv0 = b.ocvV();
    expect(b.terminalV(1000) - ocv0).to.be.closeTo(1000 * p.r0Ohm, 1e-9);
    for (let k = 0; k < p.tau1S * 1000; k++) b.step(1000, 0.001);
    expect(b.vRcV).to.be.closeTo(1000 * p.r1Ohm * (1 - Math.exp(-1)), 0.01);
    expect(b.soc - p.initialSoc).to.be.closeTo((1000 * p.tau1S) / 3600 / packCapacityAh(p), 1e-9);
  });

  it('the request policy ramps at the profile rate to the CC current, tapers in CV and ends at the target SOC', function () {
    const p = loadVehicleProfile('truck-lfp-620kwh');
    const pol = new VehicleRequestPolicy(p);
    let r = pol.next(0, 820, 0);
    for (let t = 100; t <= 10_000; t += 100) r = pol.next(t, 830, r.currentA);
    expect(r.currentA).to.be.closeTo(p.requestRampAps * 10, 1e-6);
    for (let t = 10_100; t <= 100_000; t += 100) r = pol.next(t, 850, r.currentA);
    expect(r.currentA).to.be.closeTo(ccCurrentA(p), 1e-6);
    expect(r.phase).to.equal('cc');
    r = pol.next(100_100, p.cvVoltageV + 5, r.currentA);
    expect(r.phase).to.equal('cv');
    const before = r.currentA;
    r = pol.next(101_100, p.cvVoltageV + 5, r.currentA);
    expect(before - r.currentA).to.be.closeTo(p.cvTaperGainApVs * 5 * 1, 1e-6);
    const done = pol.next(102_000, 850, 0, p.targetSoc);
    expect(done).to.include({ phase: 'done', currentA: 0 });
  });

  it('a test can step the ceiling; a lower ceiling is followed at once', function () {
    const pol = new VehicleRequestPolicy(loadVehicleProfile('truck-lfp-620kwh'));
    pol.setCeiling(600);
    pol.jumpToCeiling();
    expect(pol.next(0, 830, 0).currentA).to.equal(600);
    pol.setCeiling(100);
    expect(pol.next(100, 830, 600).currentA).to.equal(100);
  });
});

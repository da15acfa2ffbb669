using RlRobotics.Core.Time;
using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Serial.Tests;

/// <summary>Every instruction of the bus against the servo-chain double, over a real pseudo-terminal.</summary>
public sealed class BusTests
{
    private static byte[] U32(int v)
    {
        var b = new byte[4];
        ControlTable.Encode(v, b);
        return b;
    }

    private static int ReadInt(DynamixelBus bus, byte id, ushort address, int size)
    {
        var data = new byte[size];
        var r = bus.Read(id, address, data);
        Assert.True(r.IsOk, r.Describe());
        return ControlTable.Decode(data, signed: size == 4);
    }

    [Fact]
    public void PingAndScanFindEveryServoWithItsModelNumber()
    {
        using var chain = new Chain(4);
        Assert.True(chain.Bus.Ping(3, out var reply).IsOk);
        Assert.Equal(1020, reply.ModelNumber);
        var found = chain.Bus.Scan();
        Assert.Equal([1, 2, 3, 4], found.Select(f => (int)f.Id));
        Assert.All(found, f => Assert.Equal(1020, f.ModelNumber));
        Assert.Equal(TransactionStatus.Timeout, chain.Bus.Ping(9, out _).Status);
    }

    [Fact]
    public void WritesFollowTheControlTableRules()
    {
        using var chain = new Chain(1);
        var bus = chain.Bus;
        Assert.True(bus.Write(1, 116, U32(1000)).IsOk);
        Assert.Equal(1000, ReadInt(bus, 1, 116, 4));
        Assert.True(bus.Write(1, 64, [1]).IsOk);                                      // torque on
        Assert.Equal(StatusError.Access, StatusErrors.Code(bus.Write(1, 11, [1]).Error)); // EEPROM locked
        Assert.Equal(StatusError.DataLength, StatusErrors.Code(bus.Write(1, 116, [0, 2]).Error)); // half an item
        Assert.Equal(StatusError.Access, StatusErrors.Code(bus.Write(1, 132, U32(5)).Error)); // read-only
        Assert.Equal(StatusError.DataLimit, StatusErrors.Code(bus.Write(1, 116, U32(5000)).Error)); // past Max Position Limit
        Assert.Equal(1000, ReadInt(bus, 1, 116, 4));                                   // nothing refused was written
        Assert.Equal(0, bus.Statistics.Retries);                                       // device errors are not retried
        Assert.True(bus.Write(1, 64, [0]).IsOk);
        Assert.True(bus.Write(1, 11, [1]).IsOk);                                       // unlocked with torque off
        Assert.Equal(1, ReadInt(bus, 1, 11, 1));
    }

    [Fact]
    public void RegWriteWaitsForActionAndActionWithoutItIsAnInstructionError()
    {
        using var chain = new Chain(2);
        var bus = chain.Bus;
        Assert.Equal(StatusError.InstructionError, StatusErrors.Code(bus.Action(1).Error));
        Assert.True(bus.RegWrite(1, 116, U32(3000)).IsOk);
        Assert.True(bus.RegWrite(2, 116, U32(1000)).IsOk);
        Assert.Equal(1, ReadInt(bus, 1, 69, 1));
        Assert.Equal(0, ReadInt(bus, 1, 116, 4));
        Assert.True(bus.Action().IsOk); // broadcast: both at once, no reply
        Assert.Equal(3000, ReadInt(bus, 1, 116, 4));
        Assert.Equal(1000, ReadInt(bus, 2, 116, 4));
    }

    [Fact]
    public void AnOverloadRaisesTheAlertUntilAReboot()
    {
        using var chain = new Chain(2);
        var bus = chain.Bus;
        Assert.True(bus.Write(2, 64, [1]).IsOk);
        chain.Double.Faults.Overload(2);
        var data = new byte[20];
        var r = bus.SyncRead(126, 10, chain.Ids, data, new byte[2]);
        Assert.Equal(TransactionStatus.HardwareAlert, r.Status);
        Assert.Equal(2, r.Id);
        Assert.Equal(0x20, ReadIntAllowingAlert(bus, 2, 70));
        Assert.Equal(0, ReadIntAllowingAlert(bus, 2, 64));                         // shutdown turned torque off
        Assert.Equal(StatusError.ResultFail, StatusErrors.Code(bus.Write(2, 64, [1]).Error));
        Assert.True(bus.Reboot(2).HasData); // its reply still carries the alert: the reboot clears it
        Assert.Equal(0, ReadInt(bus, 2, 70, 1));
        Assert.True(bus.SyncRead(126, 10, chain.Ids, data, new byte[2]).IsOk);
    }

    private static int ReadIntAllowingAlert(DynamixelBus bus, byte id, ushort address)
    {
        var data = new byte[1];
        Assert.True(bus.Read(id, address, data).HasData);
        return data[0];
    }

    [Fact]
    public void FactoryResetIsGuardedAndKeepsTheIdWhenAsked()
    {
        using var chain = new Chain(2);
        var bus = chain.Bus;
        Assert.Throws<InvalidOperationException>(() => bus.FactoryReset(2, FactoryResetScope.KeepId, confirm: false));
        Assert.Equal(0, ReadInt(bus, 2, 9, 1));
        Assert.True(bus.FactoryReset(2, FactoryResetScope.KeepId, confirm: true).IsOk);
        bus.TimeoutFloor = TimeSpan.FromMilliseconds(50);
        Assert.Equal(250, ReadInt(bus, 2, 9, 1)); // Return Delay Time back to 500 µs
        Assert.Equal(2, ReadInt(bus, 2, 7, 1));
    }

    [Fact]
    public void SyncFastSyncAndBulkReadsAgreeAndWritesReachTheirServos()
    {
        var clock = new SimulatedClock();
        using var chain = new Chain(3, clock: clock);
        var bus = chain.Bus;
        var ids = chain.Ids;
        Assert.True(bus.SyncWrite(116, 4, ids, [.. U32(2500), .. U32(1500), .. U32(3000)]).IsOk);
        Assert.True(bus.SyncWrite(64, 1, ids, [1, 1, 1]).IsOk);
        bus.Read(1, 132, new byte[4]);         // motion starts from here
        clock.Advance(2_000_000_000);
        var sync = new byte[30];
        var fast = new byte[30];
        Assert.True(bus.SyncRead(126, 10, ids, sync, new byte[3]).IsOk);
        Assert.True(bus.FastSyncRead(126, 10, ids, fast, new byte[3]).IsOk);
        Assert.Equal(sync, fast);
        int[] goals = [2500, 1500, 3000];
        for (var i = 0; i < 3; i++)
            Assert.InRange(ControlTable.Decode(sync.AsSpan(10 * i + 6, 4), true), goals[i] - 20, goals[i] + 20);

        Assert.True(bus.BulkWrite([new BulkItem(1, 65, 1), new BulkItem(3, 116, 4)], [1, .. U32(2000)]).IsOk);
        var bulk = new byte[5];
        Assert.True(bus.BulkRead([new BulkItem(1, 65, 1), new BulkItem(3, 116, 4)], bulk, new byte[2]).IsOk);
        Assert.Equal(1, bulk[0]);
        Assert.Equal(2000, ControlTable.Decode(bulk.AsSpan(1, 4), true));
        Assert.Throws<ArgumentException>(() => bus.BulkRead([new BulkItem(1, 65, 1), new BulkItem(1, 116, 4)], bulk, new byte[2]));
    }

    [Fact]
    public void CorruptedRepliesAreRejectedAndRetried()
    {
        using var chain = new Chain(2, new DynamixelBusOptions { Retries = 3 }, seed: 7);
        var bus = chain.Bus;
        Assert.True(bus.Write(1, 116, U32(1234)).IsOk);
        chain.Double.Faults.CorruptReplyProbability = 0.3;
        var data = new byte[4];
        var ok = 0;
        for (var i = 0; i < 100; i++)
        {
            var r = bus.Read(1, 116, data);
            if (!r.IsOk) { Assert.Contains(r.Status, new[] { TransactionStatus.CrcError, TransactionStatus.Timeout }); continue; } // Timeout: the flip broke the frame
            Assert.Equal(1234, ControlTable.Decode(data, true)); // a corrupted value is never returned
            ok++;
        }
        var stats = bus.Statistics;
        Assert.True(stats.CrcErrors > 10 && stats.Retries > 10, stats.ToString());
        Assert.True(ok >= 95, $"{ok} of 100 reads succeeded within 4 attempts");
        // Every reply corrupted: never accepted. Mostly a CRC error; when the flipped bit hit the instruction byte
        // the frame is not even a packet, and the read times out.
        chain.Double.Faults.CorruptReplyProbability = 1;
        Assert.Contains(bus.Read(1, 116, data).Status, new[] { TransactionStatus.CrcError, TransactionStatus.Timeout });
    }

    [Fact]
    public void ASilentServoOpensTheCircuitWhichRestsThenRecoversOnATrial()
    {
        var clock = new SimulatedClock();
        using var chain = new Chain(2, new DynamixelBusOptions { Retries = 1, BreakerFailures = 3, BreakDuration = TimeSpan.FromSeconds(0.2) },
            clock: clock, breakerTime: new ClockTimeProvider(clock));
        var bus = chain.Bus;
        var data = new byte[20];
        var errors = new byte[2];
        chain.Double.Faults.Silence(2);
        for (var i = 0; i < 3; i++)
        {
            var r = bus.SyncRead(126, 10, chain.Ids, data, errors);
            Assert.Equal(TransactionStatus.Timeout, r.Status);
            Assert.Equal(2, r.Id);
        }
        Assert.True(bus.CircuitOpen);
        Assert.Equal(1, bus.Statistics.CircuitOpenings);
        var sent = bus.Statistics.BytesSent;
        Assert.Equal(TransactionStatus.CircuitOpen, bus.SyncRead(126, 10, chain.Ids, data, errors).Status);
        Assert.Equal(sent, bus.Statistics.BytesSent);                  // nothing went on the wire
        Assert.True(bus.SyncWrite(64, 1, chain.Ids, [0, 0]).IsOk);     // writes without replies still go
        clock.Advance(200_000_000);
        Assert.Equal(TransactionStatus.Timeout, bus.SyncRead(126, 10, chain.Ids, data, errors).Status); // the trial fails
        Assert.True(bus.CircuitOpen);
        chain.Double.Faults.Restore(2);
        Assert.Equal(TransactionStatus.CircuitOpen, bus.SyncRead(126, 10, chain.Ids, data, errors).Status);
        clock.Advance(200_000_000);
        Assert.True(bus.SyncRead(126, 10, chain.Ids, data, errors).IsOk); // the trial succeeds
        Assert.Equal(CircuitState.Closed, bus.Circuit);
    }

    [Fact]
    public void ReplyDeadlineCountsWireTimeReturnDelayAndLatency()
    {
        using var chain = new Chain(1, new DynamixelBusOptions { ReturnDelay_us = 100, AdapterLatency = TimeSpan.FromMilliseconds(1), Margin = TimeSpan.Zero });
        chain.Bus.TimeoutFloor = TimeSpan.Zero;
        // 100 bytes at 1 Mbit/s 8N1 = 1 ms; 2 replies × 100 µs; 2 × 1 ms latency.
        Assert.Equal(3.2, chain.Bus.ReplyTimeout(40, 60, 2).TotalMilliseconds, 6);
    }

    [Fact]
    public void TheDoubleSurvivesMalformedInstructionsAndStillAnswers()
    {
        using var chain = new Chain(2);
        var random = new Random(3);
        var packet = new byte[300];
        var parameters = new byte[64];
        Instruction[] codes = [Instruction.Ping, Instruction.Read, Instruction.Write, Instruction.RegWrite, Instruction.Action, Instruction.Reboot,
            Instruction.SyncRead, Instruction.SyncWrite, Instruction.FastSyncRead, Instruction.BulkRead, Instruction.BulkWrite, Instruction.Clear];
        for (var k = 0; k < 2000; k++)
        {
            random.NextBytes(parameters);
            var id = random.Next(3) == 0 ? (byte)0xFE : (byte)random.Next(1, 3);
            var n = PacketWriter.Instruction(packet, id, codes[random.Next(codes.Length)], parameters.AsSpan(0, random.Next(0, 12)));
            chain.Port.Write(packet.AsSpan(0, n), TimeSpan.FromSeconds(1));
        }
        // A pty buffers everything (a UART would drop what overflows): let the double work through the backlog, whose
        // replies would otherwise still be arriving — Protocol 2.0 has no sequence numbers to tell them apart.
        var until = DateTime.UtcNow.AddSeconds(30);
        var sent = 1 + 2 + 2000; // the fixture's ping and two return-delay writes, then the flood
        while (chain.Double.PacketsHandled < sent && DateTime.UtcNow < until) Thread.Sleep(10);
        // socat holds what the full pty could not take, so a flush alone is not enough: drain until 100 ms of quiet.
        var drain = new byte[4096];
        while (chain.Port.Read(drain, System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 10) > 0) { }
        var ping = chain.Bus.Ping(1, out _);
        Assert.True(ping.HasData, $"{ping.Describe()}; double: {chain.Double.PacketsHandled} handled, {chain.Double.PacketsRejected} rejected, fault {chain.Double.Fault}; id {chain.Double.Servos[0].Id}");
        Assert.Null(chain.Double.Fault);
        Assert.True(chain.Double.PacketsHandled >= sent + 1);
    }
}

using RlRobotics.Core.Concurrency;
using RlRobotics.Core.Numerics;
using RlRobotics.Core.Time;

namespace RlRobotics.Core.Tests;

public class ConcurrencyAndClockTests
{
    [Fact]
    public void Ring_keeps_order_and_counts_drops_when_full()
    {
        var ring = new SpscRing(capacity: 3, width: 2); // rounded up to 4
        Assert.Equal(4, ring.Capacity);
        for (var i = 0; i < 6; i++) ring.TryWrite(new double[] { i, -i });
        Assert.Equal(2, ring.Dropped);
        var record = new double[2];
        for (var i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(record));
            Assert.Equal(new double[] { i, -i }, record);
        }
        Assert.False(ring.TryRead(record));
    }

    [Fact]
    public void Ring_passes_every_record_intact_between_two_threads()
    {
        const int count = 200_000;
        var ring = new SpscRing(256, 3);
        var producer = new Thread(() =>
        {
            var r = new double[3];
            for (var i = 0; i < count; i++)
            {
                r[0] = i; r[1] = 2 * i; r[2] = 3 * i;
                while (!ring.TryWrite(r)) Thread.SpinWait(1);
            }
        });
        producer.Start();
        var rec = new double[3];
        for (var i = 0; i < count; i++)
        {
            while (!ring.TryRead(rec)) Thread.SpinWait(1);
            Assert.True(rec[0] == i && rec[1] == 2 * i && rec[2] == 3 * i, $"record {i} torn or out of order: {string.Join(",", rec)}");
        }
        producer.Join();
        Assert.Equal(0, ring.Count);
    }

    [Fact]
    public void Simulated_clock_moves_only_when_slept_on()
    {
        var clock = new SimulatedClock(100);
        Assert.Equal(100, clock.Now_ns);
        clock.SleepUntil(50);
        Assert.Equal(100, clock.Now_ns);
        clock.SleepUntil(1_000);
        Assert.Equal(1_000, clock.Now_ns);
        clock.Advance(5);
        Assert.Equal(1_005, clock.Now_ns);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(-1));
    }

    [Fact]
    public void Wall_clock_sleeps_to_absolute_deadlines()
    {
        var clock = WallClock.Instance;
        var deadline = clock.Now_ns + 2_000_000;
        clock.SleepUntil(deadline);
        Assert.True(clock.Now_ns >= deadline);
    }

    [Fact]
    public void Latest_value_hands_over_the_newest_object()
    {
        var slot = new LatestValue<string>();
        Assert.Null(slot.Read());
        slot.Publish("a"); slot.Publish("b");
        Assert.Equal("b", slot.Read());
        Assert.Equal(2, slot.Version);
    }

    [Fact]
    public void Matrix_inverse_times_matrix_is_identity()
    {
        var m = new Matrix(3, 3, new double[] { 4, 1, 2, 0, 3, 1, 2, 1, 5 });
        var product = m * m.Inverse();
        Assert.True((product - Matrix.Identity(3)).MaxAbs() < 1e-12);
        Assert.Throws<InvalidOperationException>(() => new Matrix(2, 2, new double[] { 1, 2, 2, 4 }).Inverse());
    }
}

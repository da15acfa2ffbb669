using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Serial.Tests;

public sealed class BusAllocationTests
{
    // Batches in which a transaction had to be retried are left out: a retry is the fault path, where Polly's retry
    // bookkeeping may allocate. On this shared 2-core machine a reply is now and then late; the steady state is not.
    [Fact]
    public void SyncReadAndSyncWriteOfSixServosAllocateNothingInSteadyState()
    {
        using var chain = new Chain(6);
        var ids = chain.Ids;
        var data = new byte[6 * 10];
        var errors = new byte[6];
        var goals = new byte[6 * 4];
        for (var i = 0; i < 6; i++) ControlTable.Encode(2048, goals.AsSpan(4 * i, 4));
        for (var i = 0; i < 500; i++)
        {
            Assert.True(chain.Bus.SyncRead(126, 10, ids, data, errors).IsOk);
            Assert.True(chain.Bus.SyncWrite(116, 4, ids, goals).IsOk);
        }
        var clean = 0;
        for (var batch = 0; batch < 10; batch++)
        {
            var retries = chain.Bus.Statistics.Retries;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 200; i++)
            {
                chain.Bus.SyncRead(126, 10, ids, data, errors);
                chain.Bus.SyncWrite(116, 4, ids, goals);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (chain.Bus.Statistics.Retries != retries) continue;
            Assert.True(allocated == 0, $"batch {batch}: {allocated} bytes over 200 read+write cycles");
            clean++;
        }
        Assert.True(clean >= 5, $"only {clean} of 10 batches ran without a retry");
    }
}

"use client";

import { Tabs, TabsContent, TabsList, TabsTrigger } from "~/components/ui/tabs";

import { ContainersTab } from "./containers/containers-tab";
import { EventsTab } from "./events/events-tab";
import { ImagesTab } from "./images/images-tab";
import { NetworksTab } from "./networks/networks-tab";
import { LiveResources } from "./resources/live-resources";
import { VolumesTab } from "./volumes/volumes-tab";

export function HostResources({ hostId }: { hostId: string }) {
  return (
    <section aria-labelledby="resources-heading" className="grid min-w-0 gap-3">
      <h2 id="resources-heading" className="sr-only">
        Docker resources
      </h2>
      <Tabs defaultValue="containers" className="min-w-0">
        <TabsList>
          <TabsTrigger value="containers">Containers</TabsTrigger>
          <TabsTrigger value="images">Images</TabsTrigger>
          <TabsTrigger value="volumes">Volumes</TabsTrigger>
          <TabsTrigger value="networks">Networks</TabsTrigger>
          <TabsTrigger value="events">Events</TabsTrigger>
          <TabsTrigger value="live">Live resources</TabsTrigger>
        </TabsList>
        <TabsContent value="containers">
          <ContainersTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="images">
          <ImagesTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="volumes">
          <VolumesTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="networks">
          <NetworksTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="events">
          <EventsTab hostId={hostId} />
        </TabsContent>
        <TabsContent value="live">
          <LiveResources hostId={hostId} />
        </TabsContent>
      </Tabs>
    </section>
  );
}

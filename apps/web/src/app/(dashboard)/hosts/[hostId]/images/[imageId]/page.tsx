import type { Metadata } from "next";

import { ImageView } from "./image-view";

type Params = Promise<{ hostId: string; imageId: string }>;

export const metadata: Metadata = { title: "Image" };

export default async function ImagePage({ params }: { params: Params }) {
  const { hostId, imageId } = await params;
  return <ImageView hostId={hostId} imageId={decodeURIComponent(imageId)} />;
}

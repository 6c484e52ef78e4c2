import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentActor, type Actor } from '../actor.js';
import { AddonsService } from './addons.service.js';

/** The add-on routes (Heroku's add-on services, add-ons, attachments, and the CLI's resolve actions). */
@Controller()
export class AddonsController {
  constructor(private readonly addons: AddonsService) {}

  @Get('addon-services') services() { return this.addons.services(); }
  @Get('addon-services/:service') service(@Param('service') s: string) { return this.addons.service(s); }
  @Get('addon-services/:service/plans') plans(@Param('service') s: string) { return this.addons.plans(s); }
  @Get(['addon-services/:service/plans/:plan', 'plans/:plan']) plan(@Param('service') s: string | undefined, @Param('plan') p: string) { return this.addons.plan(s ?? p.split(':')[0]!, p); }

  @Get('addons') all(@CurrentActor() actor: Actor) { return this.addons.list(actor); }
  @Get('addons/:addon') get(@CurrentActor() actor: Actor, @Param('addon') addon: string) { return this.addons.get(actor, addon); }
  @Get('addons/:addon/addon-attachments') addonAttachments(@CurrentActor() actor: Actor, @Param('addon') addon: string) { return this.addons.attachments(actor, { addon }); }
  @Get('apps/:app/addons') list(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.addons.list(actor, app); }
  @Post('apps/:app/addons') @HttpCode(201) create(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.addons.create(actor, app, body); }
  @Get('apps/:app/addons/:addon') appAddon(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('addon') addon: string) { return this.addons.get(actor, addon, app); }
  @Delete('apps/:app/addons/:addon') destroy(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('addon') addon: string) { return this.addons.destroy(actor, app, addon); }

  @Get('addon-attachments') attachments(@CurrentActor() actor: Actor) { return this.addons.attachments(actor); }
  @Post('addon-attachments') @HttpCode(201) attach(@CurrentActor() actor: Actor, @Body() body: unknown) { return this.addons.attach(actor, body); }
  @Get('addon-attachments/:id') attachment(@CurrentActor() actor: Actor, @Param('id') id: string) { return this.addons.attachment(actor, id); }
  @Delete('addon-attachments/:id') detach(@CurrentActor() actor: Actor, @Param('id') id: string) { return this.addons.detach(actor, id); }
  @Get('apps/:app/addon-attachments') appAttachments(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.addons.attachments(actor, { app }); }
  @Get('apps/:app/addon-attachments/:attachment') appAttachment(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('attachment') a: string) { return this.addons.attachment(actor, a, app); }

  @Post('actions/addons/resolve') @HttpCode(200) resolveAddon(@CurrentActor() actor: Actor, @Body() body: unknown) { return this.addons.resolveAddon(actor, body); }
  @Post('actions/addon-attachments/resolve') @HttpCode(200) resolveAttachment(@CurrentActor() actor: Actor, @Body() body: unknown) { return this.addons.resolveAttachment(actor, body); }
}

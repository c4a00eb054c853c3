import { Anchor, Button, NavLink, type AnchorProps, type ButtonProps, type NavLinkProps } from '@mantine/core';
import { createLink, type LinkComponent } from '@tanstack/react-router';
import { forwardRef, type AnchorHTMLAttributes } from 'react';

// Mantine's components rendered as the router's links: typed `to`, client-side navigation, real <a href>.

const AnchorElement = forwardRef<HTMLAnchorElement, AnchorProps & AnchorHTMLAttributes<HTMLAnchorElement>>((props, ref) => (
  <Anchor ref={ref} {...props} />
));
const CreatedAnchorLink = createLink(AnchorElement);
/** A Mantine Anchor that navigates within the app. */
export const AnchorLink: LinkComponent<typeof AnchorElement> = (props) => <CreatedAnchorLink preload="intent" {...props} />;

const ButtonElement = forwardRef<HTMLAnchorElement, ButtonProps & AnchorHTMLAttributes<HTMLAnchorElement>>((props, ref) => (
  <Button ref={ref} component="a" {...props} />
));
const CreatedButtonLink = createLink(ButtonElement);
/** A Mantine Button that is a link within the app. */
export const ButtonLink: LinkComponent<typeof ButtonElement> = (props) => <CreatedButtonLink preload="intent" {...props} />;

const NavLinkElement = forwardRef<HTMLAnchorElement, NavLinkProps & AnchorHTMLAttributes<HTMLAnchorElement>>((props, ref) => (
  <NavLink ref={ref} component="a" {...props} />
));
const CreatedNavLink = createLink(NavLinkElement);
/** A Mantine NavLink for the navigation. */
export const RouterNavLink: LinkComponent<typeof NavLinkElement> = (props) => <CreatedNavLink preload="intent" {...props} />;
